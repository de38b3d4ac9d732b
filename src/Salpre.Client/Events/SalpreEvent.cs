using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>
/// An event of the account: what the events feed lists and what a webhook delivers. Its id and content never change;
/// <see cref="Call"/> or <see cref="Device"/> hold its data typed, <see cref="Data"/> as sent.
/// </summary>
public sealed record SalpreEvent : IJsonOnDeserialized
{
    /// <summary><c>evt_</c> and 26 characters; ids sort as the feed does. A webhook's <c>webhook-id</c> (deduplicate on it).</summary>
    public required string Id { get; init; }

    /// <summary>Such as <c>call.completed</c>; see <see cref="EventTypes"/>.</summary>
    public required string Type { get; init; }

    /// <summary>When the gateway accepted the change (UTC, to the millisecond).</summary>
    [JsonConverter(typeof(UtcMillisecondsConverter))]
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>The event's <c>data</c> as sent.</summary>
    public JsonElement Data { get; init; }

    /// <summary>
    /// A <c>call.*</c> event's data: the call as the list shows it, its previous status and sequence; null for other
    /// types and for <c>call.deleted</c>, whose data is <see cref="DeletedCallId"/> alone.
    /// </summary>
    [JsonIgnore]
    public CallEventData? Call { get; private set; }

    /// <summary>A <c>call.deleted</c> event's call id (no other data outlives the call); null for other types.</summary>
    [JsonIgnore]
    public string? DeletedCallId { get; private set; }

    /// <summary>A <c>device.*</c> event's data: the box as the device list shows it; null for other types.</summary>
    [JsonIgnore]
    public Device? Device { get; private set; }

    /// <summary>
    /// The event's JSON exactly as the gateway wrote it (a webhook delivery's body is these bytes in UTF-8), when it
    /// came from the API or from <see cref="Parse(string)"/>; null for an event made or read otherwise.
    /// </summary>
    [JsonIgnore]
    public string? RawJson { get; init; }

    /// <summary>An event from its JSON: a webhook delivery's body, or a line of <c>salpre events tail</c>.</summary>
    /// <exception cref="JsonException">The text is not an event.</exception>
    public static SalpreEvent Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return (JsonSerializer.Deserialize(json, SalpreJsonContext.Default.SalpreEvent) ?? throw new JsonException("The event is null.")) with { RawJson = json };
    }

    /// <inheritdoc cref="Parse(string)"/>
    public static SalpreEvent Parse(ReadOnlySpan<byte> utf8Json) => Parse(Encoding.UTF8.GetString(utf8Json));

    /// <summary>An event of a page: its typed fields and its text as sent.</summary>
    internal static SalpreEvent Of(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
            ? element.Deserialize(SalpreJsonContext.Default.SalpreEvent)! with { RawJson = element.GetRawText() }
            : throw new JsonException("An event is not an object.");

    void IJsonOnDeserialized.OnDeserialized()
    {
        if (Data.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        if (Type == EventTypes.CallDeleted)
        {
            DeletedCallId = Data.Deserialize(WireJsonContext.Default.DeletedCallData)?.CallId;
        }
        else if (Type.StartsWith(EventTypes.CallPrefix, StringComparison.Ordinal))
        {
            Call = Data.Deserialize(SalpreJsonContext.Default.CallEventData);
        }
        else if (Type.StartsWith(EventTypes.DevicePrefix, StringComparison.Ordinal))
        {
            Device = Data.Deserialize(SalpreJsonContext.Default.Device);
        }
    }
}

/// <summary>A call event's data: the call as the list shows it, then its status before the change and its sequence.</summary>
public sealed record CallEventData : Call
{
    /// <summary>The status before this change; null for a new call.</summary>
    [JsonPropertyOrder(1)]
    public CallStatus? PreviousStatus { get; init; }

    /// <summary>Grows with each change of the call (0 for an imported call's one event): a receiver drops an update older than one it has.</summary>
    [JsonPropertyOrder(2)]
    public int Sequence { get; init; }
}
