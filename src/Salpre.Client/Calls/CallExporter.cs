using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Salpre.Client.Http;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>
/// Reads the server's call export: NDJSON, in blocks of whole lines as they arrive. A connection that drops mid-way
/// is opened again right after the last call received, so nothing is lost or repeated; a server without the export
/// (404) is walked through the list instead.
/// </summary>
internal sealed class CallExporter(SalpreTransport transport, CallsClient calls)
{
    private const string Path = "api/gateway/v1/call/export";

    /// <summary>Each call as it arrives.</summary>
    public async IAsyncEnumerable<Call> ExportAsync(CallExportOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var block in BlocksAsync(options, cancellationToken).ConfigureAwait(false))
        {
            if (block.Response is null)
            {
                await foreach (var call in ListAllAsync(options, cancellationToken).ConfigureAwait(false))
                {
                    yield return call;
                }
                yield break;
            }
            foreach (var call in Parse(block, options.IncludeDetails))
            {
                yield return call;
            }
        }
    }

    /// <summary>The export's lines copied as they come into <paramref name="destination"/>; returns how many calls.</summary>
    public async Task<long> ExportToAsync(Stream destination, CallExportOptions options, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var block in BlocksAsync(options, cancellationToken).ConfigureAwait(false))
        {
            if (block.Response is null)
            {
                var ndjson = new CallNdjson(destination);
                await using (ndjson.ConfigureAwait(false))
                {
                    await foreach (var call in ListAllAsync(options, cancellationToken).ConfigureAwait(false))
                    {
                        await ndjson.WriteAsync(call, cancellationToken).ConfigureAwait(false);
                        if ((++count & 1023) == 0) progress?.Report(count);
                    }
                    await ndjson.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                break;
            }
            foreach (var segment in block.Lines)
            {
                await destination.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
                count += segment.Span.Count((byte)'\n');
            }
            progress?.Report(count);
        }
        return count;
    }

    /// <summary>Whole lines of the export and the answer they came in; one block without an answer when the server has no export.</summary>
    private readonly record struct Block(ReadOnlySequence<byte> Lines, HttpResponseMessage? Response);

    private async IAsyncEnumerable<Block> BlocksAsync(CallExportOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = options.After;
        var failedAttempts = 0;
        while (true)
        {
            var response = await OpenAsync(options, after, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                yield return new Block(ReadOnlySequence<byte>.Empty, null);
                yield break;
            }

            Exception? drop = null;
            var received = false;
            using (response)
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 1 << 16));
                try
                {
                    while (true)
                    {
                        ReadResult read;
                        try
                        {
                            read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception exception) when (exception is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                        {
                            drop = exception;
                            break;
                        }
                        var buffer = read.Buffer;
                        var (lines, last) = WholeLines(buffer);
                        if (lines.Length > 0)
                        {
                            after = ParseLine(last, details: false, response).CallId;
                            received = true;
                            yield return new Block(lines, response);
                            buffer = buffer.Slice(lines.End);
                        }
                        reader.AdvanceTo(buffer.Start, buffer.End);
                        if (read.IsCompleted)
                        {
                            // The body's clean end is the export's end; bytes after the last line mean it was cut.
                            if (!buffer.IsEmpty)
                            {
                                throw SalpreTransport.InvalidResponse(response, new JsonException("The export ended inside a line."));
                            }
                            yield break;
                        }
                    }
                }
                finally
                {
                    await reader.CompleteAsync().ConfigureAwait(false);
                }
            }

            failedAttempts = received ? 1 : failedAttempts + 1;
            var retry = transport.Retry;
            if (failedAttempts > retry.MaxRetries)
            {
                throw new SalpreApiException(
                    $"The export's connection to {transport.BaseAddress} dropped {failedAttempts} times without a call received: {drop!.Message}",
                    code: SalpreApiException.ConnectionFailedCode, innerException: drop);
            }
            var wait = TimeSpan.FromTicks(Math.Min(retry.MaxDelay.Ticks, retry.BaseDelay.Ticks << Math.Min(failedAttempts - 1, 20)));
            await Task.Delay(wait, transport.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpResponseMessage?> OpenAsync(CallExportOptions options, string? after, CancellationToken cancellationToken)
    {
        var uri = transport.Resolve(Path + CallListQuery.Build(options, after));
        try
        {
            return await transport.SendStreamingAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        }
        catch (SalpreApiException exception) when (exception.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            // A server that predates the export (the hosted service, say): the list gives the same calls.
            return null;
        }
    }

    /// <summary>
    /// The buffer up to and with its last line break, and that last line (without its break): the call a new request
    /// resumes after if the connection drops after this block.
    /// </summary>
    private static (ReadOnlySequence<byte> Lines, ReadOnlySequence<byte> Last) WholeLines(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        long lastStart = 0, end = 0;
        while (reader.TryAdvanceTo((byte)'\n'))
        {
            lastStart = end;
            end = reader.Consumed;
        }
        return end == 0 ? default : (buffer.Slice(0, end), buffer.Slice(lastStart, end - lastStart - 1));
    }

    private static List<Call> Parse(Block block, bool details)
    {
        var parsed = new List<Call>();
        var lines = block.Lines;
        while (lines.PositionOf((byte)'\n') is { } end)
        {
            parsed.Add(ParseLine(lines.Slice(0, end), details, block.Response!));
            lines = lines.Slice(lines.GetPosition(1, end));
        }
        return parsed;
    }

    private static Call ParseLine(ReadOnlySequence<byte> line, bool details, HttpResponseMessage response)
    {
        try
        {
            var json = new Utf8JsonReader(line);
            Call? call = details
                ? JsonSerializer.Deserialize(ref json, SalpreJsonContext.Default.CallDetails)
                : JsonSerializer.Deserialize(ref json, SalpreJsonContext.Default.Call);
            return call ?? throw new JsonException("A line of the export is null.");
        }
        catch (JsonException exception)
        {
            throw SalpreTransport.InvalidResponse(response, exception);
        }
    }

    private IAsyncEnumerable<Call> ListAllAsync(CallExportOptions options, CancellationToken cancellationToken)
    {
        var listed = calls.ListAllAsync(new CallListOptions(options) { PerPage = 100, Order = options.Order }, cancellationToken);
        if (options.After is { } after)
        {
            listed = listed.SkipWhile(call => call.CallId != after).Skip(1);
        }
        return options.IncludeDetails ? DetailsFetcher.WithDetailsAsync(calls, listed, cancellationToken) : listed;
    }
}
