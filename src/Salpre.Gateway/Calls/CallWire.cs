using System.Text.Json;
using System.Text.Json.Serialization;
using Salpre.Gateway.Hosting;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls;

/// <summary>A call as the list shows it. The field order is the contract's; append, never reorder.</summary>
public record CallItem(
    string CallId,
    [property: JsonConverter(typeof(CallStatusConverter))] CallStatus Status,
    string From,
    string To,
    long AgentId,
    [property: JsonConverter(typeof(CallDirectionConverter))] CallDirection Direction,
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset StartedAt,
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset? EndedAt,
    int? DurationSec)
{
    public static CallItem Of(CallRecord call) => new(
        CallIds.Format(call.CallNum),
        call.Status,
        call.From,
        call.To,
        call.AgentId,
        call.Direction,
        DateTimeOffset.FromUnixTimeSeconds(call.StartedAt),
        call.EndedAt is { } ended ? DateTimeOffset.FromUnixTimeSeconds(ended) : null,
        call.DurationSec);
}

/// <summary>A call's details: the list's fields in the same order, then the recording, transcript and variables.</summary>
public sealed record CallDetails : CallItem
{
    private CallDetails(CallItem call, string? audioRecordUrl, string? transcript, Dictionary<string, JsonElement> variables)
        : base(call)
    {
        AudioRecordUrl = audioRecordUrl;
        Transcript = transcript;
        Variables = variables;
    }

    // Derived properties would otherwise be written before the inherited ones.
    [JsonPropertyOrder(1)]
    public string? AudioRecordUrl { get; }

    [JsonPropertyOrder(2)]
    public string? Transcript { get; }

    [JsonPropertyOrder(3)]
    public Dictionary<string, JsonElement> Variables { get; }

    public static CallDetails Of(CallDetailsRecord details)
    {
        var variables = details.VariablesJson is { } json
            ? JsonSerializer.Deserialize(json, GatewayJsonContext.Default.DictionaryStringJsonElement)!
            : [];
        return new CallDetails(CallItem.Of(details.Call), details.AudioRecordUrl, details.Transcript, variables);
    }
}

/// <summary>What make-call answers, in the order of Salpre's Make Call page.</summary>
public sealed record MakeCallResult(
    string CallId,
    [property: JsonConverter(typeof(CallStatusConverter))] CallStatus Status,
    long AgentId,
    string From,
    string To);

/// <summary>One accepted status report of a call, as its log shows it.</summary>
public sealed record CallLogEntry(
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset At,
    [property: JsonConverter(typeof(CallStatusConverter))] CallStatus Status,
    string? Detail);

public sealed record CallListResponse(IReadOnlyList<CallItem> Data, CallListMeta Meta)
{
    [JsonPropertyOrder(-1)]
    public string Status => "success";
}

/// <summary>
/// <c>per_page</c>, <c>page</c> and <c>has_next</c> as in the document, then <c>next_cursor</c> (null on the last page),
/// <c>total</c> when asked for, and <c>ignored_parameters</c> when some were.
/// </summary>
public sealed record CallListMeta(
    int PerPage,
    long Page,
    bool HasNext,
    string? NextCursor,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Total,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? IgnoredParameters);

/// <summary>Call ids on the wire are <c>c</c> and the call's number; paths also take the number alone.</summary>
public static class CallIds
{
    public static string Format(long callNum) => string.Create(null, stackalloc char[24], $"c{callNum}");

    /// <summary>Parses <c>c874</c> or <c>874</c> (canonical digits, no sign or leading zero).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long callNum)
    {
        callNum = 0;
        if (text.StartsWith("c"))
        {
            text = text[1..];
        }
        if (text.IsEmpty || text.Length > 19 || text[0] == '0')
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out callNum);
    }
}
