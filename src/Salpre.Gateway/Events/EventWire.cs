using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Salpre.Gateway.Calls;
using Salpre.Gateway.Hosting;
using Salpre.Storage.Calls;
using Salpre.Storage.Webhooks;

namespace Salpre.Gateway.Events;

/// <summary>
/// An event as the feed lists it and as a webhook delivers it, byte for byte: <c>id</c>, <c>type</c>,
/// <c>timestamp</c> (when the gateway accepted the change, UTC with milliseconds) and <c>data</c>.
/// </summary>
public sealed record EventItem(
    string Id,
    string Type,
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset Timestamp,
    [property: JsonConverter(typeof(RawJsonConverter))] RawJson Data)
{
    public static EventItem Of(EventRecord record) => new(
        EventIds.Format(record.Position), record.Type, DateTimeOffset.FromUnixTimeMilliseconds(record.CreatedAt), new RawJson(record.Data));

    /// <summary>The body a webhook sends: the event rendered as the feed shows it.</summary>
    public static byte[] Render(EventRecord record) => GatewayJsonBytes.Render(Of(record), GatewayJsonContext.Default.EventItem);
}

/// <summary>
/// A call event's <c>data</c>: the call object as the list shows it, then its status before the change (null for a
/// new call) and <c>sequence</c>, which grows with each change of the call (0 for an imported call's one event).
/// </summary>
public sealed record CallEventData : CallItem
{
    private CallEventData(CallItem call, CallStatus? previousStatus, int sequence)
        : base(call)
    {
        PreviousStatus = previousStatus;
        Sequence = sequence;
    }

    [JsonPropertyOrder(1)]
    [JsonConverter(typeof(CallStatusConverter))]
    public CallStatus? PreviousStatus { get; }

    [JsonPropertyOrder(2)]
    public int Sequence { get; }

    public static CallEventData Of(CallRecord call, CallStatus? previousStatus, int sequence) => new(CallItem.Of(call), previousStatus, sequence);
}

/// <summary>What a <c>call.deleted</c> event carries: the call's id, and no personal data.</summary>
public sealed record DeletedCallData(string CallId);

/// <summary>What a <c>webhook.test</c> event carries.</summary>
public sealed record TestEventData(string WebhookId, string Message);

public sealed record EventListResponse(IReadOnlyList<EventItem> Data, EventListMeta Meta)
{
    [JsonPropertyOrder(-1)]
    public string Status => "success";
}

/// <summary>As the list's meta: the page size, whether more events follow now, and the cursor to them.</summary>
public sealed record EventListMeta(
    int PerPage,
    bool HasNext,
    string? NextCursor,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? IgnoredParameters);

/// <summary>JSON text kept as it was written, sent as it is.</summary>
public readonly record struct RawJson(string Text);

public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(document.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Text, skipInputValidation: true);
}

/// <summary>Instants as UTC with milliseconds, <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>.</summary>
public sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.ParseExact(reader.GetString()!, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
