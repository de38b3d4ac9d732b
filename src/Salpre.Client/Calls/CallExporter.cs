using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Salpre.Client.Http;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>
/// Reads the server's call export, NDJSON parsed line by line as it arrives. A connection that drops mid-way is opened
/// again right after the last call received, so nothing is lost or repeated; a server without the export (404) is
/// walked through the list instead.
/// </summary>
internal sealed class CallExporter(SalpreTransport transport, CallsClient calls)
{
    private const string Path = "api/gateway/v1/call/export";

    public async IAsyncEnumerable<Call> ExportAsync(CallExportOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = options.After;
        var failedAttempts = 0;
        while (true)
        {
            var response = await OpenAsync(options, after, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                await foreach (var call in ListAllAsync(options, cancellationToken).ConfigureAwait(false))
                {
                    yield return call;
                }
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
                        var (batch, consumed) = ParseLines(read.Buffer, options.IncludeDetails, response);
                        var rest = read.Buffer.Slice(consumed);
                        reader.AdvanceTo(consumed, read.Buffer.End);
                        foreach (var call in batch)
                        {
                            after = call.CallId;
                            received = true;
                            yield return call;
                        }
                        if (read.IsCompleted)
                        {
                            // The body's clean end is the export's end; bytes after the last line mean it was cut.
                            if (!rest.IsEmpty)
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

    /// <summary>The complete lines of <paramref name="buffer"/> as calls, and where the first incomplete one starts.</summary>
    private static (List<Call> Calls, SequencePosition Consumed) ParseLines(ReadOnlySequence<byte> buffer, bool details, HttpResponseMessage response)
    {
        var parsed = new List<Call>();
        while (buffer.PositionOf((byte)'\n') is { } end)
        {
            var line = buffer.Slice(0, end);
            buffer = buffer.Slice(buffer.GetPosition(1, end));
            try
            {
                var json = new Utf8JsonReader(line);
                Call? call = details
                    ? JsonSerializer.Deserialize(ref json, SalpreJsonContext.Default.CallDetails)
                    : JsonSerializer.Deserialize(ref json, SalpreJsonContext.Default.Call);
                parsed.Add(call ?? throw new JsonException("A line of the export is null."));
            }
            catch (JsonException exception)
            {
                throw SalpreTransport.InvalidResponse(response, exception);
            }
        }
        return (parsed, buffer.Start);
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
