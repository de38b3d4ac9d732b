using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Salpre.Gateway.Calls.Import;
using Salpre.Gateway.Hosting;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls.Export;

/// <summary>
/// Renders an export's rows into one reusable buffer: NDJSON lines in the API's own form (each line what the list,
/// or with details the call's details, shows), or CSV rows with the columns the gateway's import reads.
/// </summary>
public sealed class CallExportRenderer : IDisposable
{
    /// <summary>The import's columns: the list's fields, then (with details) the recording, transcript and variables.</summary>
    public static readonly string CsvDetailsHeader = string.Join(',', CallFileReader.Columns);

    public static readonly string CsvHeader = string.Join(',', CallFileReader.Columns[..^3]);

    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 18);
    private readonly StringBuilder _row = new(512);
    private readonly Utf8JsonWriter _json;
    private readonly CallExportFormat _format;

    public CallExportRenderer(CallExportFormat format)
    {
        _format = format;
        _json = new Utf8JsonWriter(_buffer, GatewayJson.WriterOptions);
    }

    public static string ContentType(CallExportFormat format) =>
        format == CallExportFormat.Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public void Clear() => _buffer.ResetWrittenCount();

    /// <summary>The CSV header line; NDJSON has none.</summary>
    public void Header(bool withDetails)
    {
        if (_format == CallExportFormat.Csv)
        {
            Encoding.UTF8.GetBytes((withDetails ? CsvDetailsHeader : CsvHeader) + "\n", _buffer);
        }
    }

    public void Row(CallRecord call)
    {
        if (_format == CallExportFormat.Ndjson)
        {
            JsonLine(CallItem.Of(call), GatewayJsonContext.Default.CallItem);
            return;
        }
        CsvCall(call);
        CsvEnd();
    }

    public void Row(CallDetailsRecord details)
    {
        if (_format == CallExportFormat.Ndjson)
        {
            JsonLine(CallDetails.Of(details), GatewayJsonContext.Default.CallDetails);
            return;
        }
        CsvCall(details.Call);
        _row.Append(',');
        Field(details.AudioRecordUrl ?? "");
        _row.Append(',');
        Field(details.Transcript ?? "");
        _row.Append(',');
        Field(details.VariablesJson ?? "");
        CsvEnd();
    }

    public void Dispose() => _json.Dispose();

    private void JsonLine<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        JsonSerializer.Serialize(_json, value, type);
        _json.Flush();
        _json.Reset(_buffer);
        _buffer.Write("\n"u8);
    }

    private void CsvCall(CallRecord call)
    {
        var culture = CultureInfo.InvariantCulture;
        _row.Append(CallIds.Format(call.CallNum)).Append(',').Append(call.Status.ToWire()).Append(',');
        Field(call.From);
        _row.Append(',');
        Field(call.To);
        _row.Append(',').Append(call.AgentId).Append(',').Append(call.Direction.ToWire()).Append(',');
        Instant(call.StartedAt);
        _row.Append(',');
        if (call.EndedAt is { } ended) Instant(ended);
        _row.Append(',');
        if (call.DurationSec is { } duration) _row.Append(culture, $"{duration}");
    }

    private void CsvEnd()
    {
        _row.Append('\n');
        foreach (var chunk in _row.GetChunks())
        {
            Encoding.UTF8.GetBytes(chunk.Span, _buffer);
        }
        _row.Clear();
    }

    private void Instant(long unixSeconds) =>
        _row.Append(CultureInfo.InvariantCulture, $"{DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}");

    /// <summary>RFC 4180: a field holding a separator, quote or line break is quoted, its quotes doubled.</summary>
    private void Field(string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            _row.Append(value);
            return;
        }
        _row.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
