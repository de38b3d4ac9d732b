using System.Text.Json;
using System.Text.Json.Serialization;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>A call as the list shows it.</summary>
public record Call
{
    /// <summary>The call's id, such as <c>c123456</c>; an id the service sends as a number keeps its digits (<c>874</c>).</summary>
    [JsonConverter(typeof(CallIdConverter))]
    public required string CallId { get; init; }

    public CallStatus Status { get; init; }

    /// <summary><c>salprebox:SERIAL_NO</c> for calls placed through a Salpre Box.</summary>
    public string From { get; init; } = "";

    /// <summary>E.164, such as <c>+905321234567</c>.</summary>
    public string To { get; init; } = "";

    public long AgentId { get; init; }

    public CallDirection Direction { get; init; }

    [JsonConverter(typeof(UtcSecondsConverter))]
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Null until the call reaches a final status.</summary>
    [JsonConverter(typeof(NullableUtcSecondsConverter))]
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Talk time in whole seconds; null until the call reaches a final status.</summary>
    public int? DurationSec { get; init; }

    /// <summary>Fields this version of the client does not know, kept as sent (and written back on serialization). Settable because System.Text.Json fills extension data after construction.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalFields { get; set; }
}

/// <summary>A call's details: the list's fields, then the recording, transcript and variables.</summary>
public sealed record CallDetails : Call
{
    [JsonPropertyOrder(1)]
    public string? AudioRecordUrl { get; init; }

    [JsonPropertyOrder(2)]
    public string? Transcript { get; init; }

    [JsonPropertyOrder(3)]
    public Dictionary<string, JsonElement>? Variables { get; init; }
}

/// <summary>One status report in a call's log.</summary>
public sealed record CallLogEntry
{
    [JsonConverter(typeof(UtcSecondsConverter))]
    public DateTimeOffset At { get; init; }

    public CallStatus Status { get; init; }

    public string? Detail { get; init; }
}
