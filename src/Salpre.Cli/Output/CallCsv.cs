using System.Globalization;
using System.Text.Json;
using Salpre.Client;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Output;

/// <summary>
/// Calls as CSV with the list's fields as columns, in the list's order and names: the same header the gateway's
/// <c>import</c> reads. Empty cells stand for null.
/// </summary>
public static class CallCsv
{
    public const string Header = "call_id,status,from,to,agent_id,direction,started_at,ended_at,duration_sec";

    /// <summary>The header with the details' columns; <c>variables</c> holds the object's JSON text.</summary>
    public const string DetailsHeader = Header + ",audio_record_url,transcript,variables";

    public static void WriteRow(TextWriter writer, Call call, bool withDetails = false)
    {
        Field(writer, call.CallId);
        writer.Write(',');
        writer.Write(call.Status.ToWire());
        writer.Write(',');
        Field(writer, call.From);
        writer.Write(',');
        Field(writer, call.To);
        writer.Write(',');
        writer.Write(call.AgentId.ToString(CultureInfo.InvariantCulture));
        writer.Write(',');
        writer.Write(call.Direction.ToWire());
        writer.Write(',');
        writer.Write(Instant(call.StartedAt));
        writer.Write(',');
        writer.Write(call.EndedAt is { } ended ? Instant(ended) : "");
        writer.Write(',');
        writer.Write(call.DurationSec?.ToString(CultureInfo.InvariantCulture) ?? "");
        if (withDetails && call is CallDetails details)
        {
            writer.Write(',');
            Field(writer, details.AudioRecordUrl ?? "");
            writer.Write(',');
            Field(writer, details.Transcript ?? "");
            writer.Write(',');
            Field(writer, details.Variables is { Count: > 0 } variables
                ? JsonSerializer.Serialize(variables, SalpreJsonContext.Default.DictionaryStringJsonElement)
                : "");
        }
        writer.Write('\n');
    }

    public static string Instant(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString(UtcSecondsConverter.Format, CultureInfo.InvariantCulture);

    /// <summary>RFC 4180: quotes a field holding a separator, quote or line break, doubling its quotes.</summary>
    public static void Field(TextWriter writer, string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            writer.Write(value);
            return;
        }
        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }
}
