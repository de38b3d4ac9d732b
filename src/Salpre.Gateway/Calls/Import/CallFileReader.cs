using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;
using nietras.SeparatedValues;

namespace Salpre.Gateway.Calls.Import;

/// <summary>Streams the calls of an NDJSON or CSV file (chosen by extension), one line at a time.</summary>
public static class CallFileReader
{
    public static readonly string[] Columns =
    [
        "call_id", "status", "from", "to", "agent_id", "direction", "started_at", "ended_at", "duration_sec",
        "audio_record_url", "transcript", "variables",
    ];

    public static bool IsCsv(string path) => Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase);

    public static bool IsSupported(string path) =>
        IsCsv(path) || Path.GetExtension(path).ToLowerInvariant() is ".ndjson" or ".jsonl" or ".json";

    public static IAsyncEnumerable<ImportLine> ReadAsync(string path, CancellationToken cancellationToken) =>
        IsCsv(path) ? ReadCsvAsync(path, cancellationToken) : ReadNdjsonAsync(path, cancellationToken);

    /// <summary>
    /// The number of the first line holding bytes that are not UTF-8, or null when the whole file is UTF-8. The readers
    /// below would read such bytes as U+FFFD, so that an import would store other text than the file's.
    /// </summary>
    public static async Task<long?> FindLineNotUtf8Async(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var bytes = new byte[1 << 16];
        var chars = new char[bytes.Length];
        long line = 1;
        var kept = 0;
        while (true)
        {
            var read = await file.ReadAsync(bytes.AsMemory(kept), cancellationToken);
            var block = bytes.AsSpan(0, kept + read);
            var status = Utf8.ToUtf16(block, chars, out var valid, out _, replaceInvalidSequences: false, isFinalBlock: read == 0);
            line += block[..valid].Count((byte)'\n');
            if (status == OperationStatus.InvalidData)
            {
                return line;
            }
            if (read == 0)
            {
                return null;
            }
            kept = block.Length - valid; // a sequence cut by the end of the block
            block[valid..].CopyTo(bytes);
        }
    }

    private static async IAsyncEnumerable<ImportLine> ReadNdjsonAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, new FileStreamOptions { Options = FileOptions.SequentialScan, BufferSize = 1 << 16 });
        long lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            yield return ParseJsonLine(lineNumber, line);
        }
    }

    private static ImportLine ParseJsonLine(long lineNumber, string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new ImportLine(lineNumber, null, "not a JSON object");
            }
            var root = document.RootElement;
            var fields = new string?[Columns.Length];
            for (var i = 0; i < Columns.Length; i++)
            {
                if (!root.TryGetProperty(Columns[i], out var value))
                {
                    continue;
                }
                switch (value.ValueKind)
                {
                    case JsonValueKind.Null:
                        break;
                    case JsonValueKind.String:
                        fields[i] = value.GetString();
                        break;
                    case JsonValueKind.Number:
                        fields[i] = value.GetRawText();
                        break;
                    case JsonValueKind.Object when Columns[i] == "variables":
                        fields[i] = value.GetRawText();
                        break;
                    default:
                        return new ImportLine(lineNumber, null, $"{Columns[i]} has the wrong JSON type");
                }
            }
            return new ImportLine(lineNumber, ToRawCall(fields), null);
        }
        catch (JsonException)
        {
            return new ImportLine(lineNumber, null, "not valid JSON");
        }
        catch (InvalidOperationException)
        {
            return new ImportLine(lineNumber, null, "a string is not valid Unicode (a lone surrogate or invalid UTF-8)");
        }
    }

    private static async IAsyncEnumerable<ImportLine> ReadCsvAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = await Sep.Reader(o => o with { Unescape = true }).FromFileAsync(path, cancellationToken);
        var columns = new int[Columns.Length];
        for (var i = 0; i < Columns.Length; i++)
        {
            columns[i] = reader.Header.TryIndexOf(Columns[i], out var index) ? index : -1;
        }
        await foreach (var row in reader)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fields = new string?[Columns.Length];
            for (var i = 0; i < Columns.Length; i++)
            {
                if (columns[i] >= 0 && row[columns[i]].Span is { IsEmpty: false } cell)
                {
                    fields[i] = cell.ToString();
                }
            }
            yield return new ImportLine(row.LineNumberFrom, ToRawCall(fields), null);
        }
    }

    private static RawCall ToRawCall(string?[] f) => new(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11]);
}
