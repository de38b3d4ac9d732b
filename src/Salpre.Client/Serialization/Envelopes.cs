using System.Text.Json.Serialization;

namespace Salpre.Client.Serialization;

/// <summary><c>{"status":"success","data":...}</c>.</summary>
internal sealed record DataEnvelope<T>(T? Data);

/// <summary>The list's envelope: <c>data</c> and <c>meta</c>.</summary>
internal sealed record CallListEnvelope(List<Call>? Data, CallListMeta? Meta);

internal sealed record CallListMeta(
    int PerPage,
    long Page,
    bool HasNext,
    string? NextCursor,
    long? Total,
    List<string>? IgnoredParameters);

/// <summary>The statistics' envelope: <c>data</c> (<c>totals</c>, <c>groups</c>) and <c>meta</c>.</summary>
internal sealed record CallStatsEnvelope(CallStatsData? Data, CallStatsMeta? Meta);

internal sealed record CallStatsData(CallStatsMeasures? Totals, List<CallStatsGroup>? Groups);

internal sealed record CallStatsMeta(
    [property: JsonConverter(typeof(NullableUtcSecondsConverter))] DateTimeOffset? StartedAfter,
    [property: JsonConverter(typeof(NullableUtcSecondsConverter))] DateTimeOffset? StartedBefore,
    string? Tz,
    List<string>? GroupBy,
    List<string>? IgnoredParameters);

/// <summary>A list paged by cursor alone (the events feed, deliveries): <c>data</c> and <c>meta</c>.</summary>
internal sealed record CursorListEnvelope<T>(List<T>? Data, CursorListMeta? Meta)
{
    public CursorPage<TItem> ToPage<TItem>(Func<T, TItem> item)
    {
        List<TItem> items = [.. (Data ?? []).Select(item)];
        var meta = Meta ?? new CursorListMeta(items.Count, false, null, null);
        return new CursorPage<TItem>(items, meta.PerPage, meta.HasNext, meta.NextCursor, meta.IgnoredParameters ?? []);
    }
}

internal sealed record CursorListMeta(int PerPage, bool HasNext, string? NextCursor, List<string>? IgnoredParameters);

/// <summary>An endpoint's creation; what is not given is left to the server's defaults.</summary>
internal sealed record WebhookCreateBody(
    string Url,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? EventTypes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxInFlight);

/// <summary>A PATCH of an endpoint: only what changes is sent.</summary>
internal sealed record WebhookPatchBody(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? EventTypes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxInFlight,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Status);

internal sealed record RecoverBody(string Since);

internal sealed record RecoverData(long Recovered);

/// <summary><c>POST /erasures</c>: the number whose calls go.</summary>
internal sealed record ErasureBody(string Phone);

internal sealed record ErasureData(long CallsErased);

/// <summary>A <c>call.deleted</c> event's <c>data</c>: the call's id alone.</summary>
internal sealed record DeletedCallData([property: JsonConverter(typeof(CallIdConverter))] string CallId);

/// <summary><c>{"status":"error","message":...}</c>, then <c>code</c>, <c>param</c> and <c>request_id</c> where the server gives them.</summary>
internal sealed record ErrorEnvelope(string? Status, string? Message, string? Code, string? Param, string? RequestId);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CallListEnvelope))]
[JsonSerializable(typeof(CallStatsEnvelope))]
[JsonSerializable(typeof(CallStatsMeasures))]
[JsonSerializable(typeof(DataEnvelope<CallDetails>))]
[JsonSerializable(typeof(DataEnvelope<List<CallLogEntry>>))]
[JsonSerializable(typeof(DataEnvelope<MadeCall>))]
[JsonSerializable(typeof(DataEnvelope<List<Device>>))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(MakeCallBody))]
[JsonSerializable(typeof(CursorListEnvelope<System.Text.Json.JsonElement>))]
[JsonSerializable(typeof(CursorListEnvelope<WebhookDelivery>))]
[JsonSerializable(typeof(DataEnvelope<Webhook>))]
[JsonSerializable(typeof(DataEnvelope<List<Webhook>>))]
[JsonSerializable(typeof(DataEnvelope<System.Text.Json.JsonElement>))]
[JsonSerializable(typeof(DataEnvelope<RecoverData>))]
[JsonSerializable(typeof(DataEnvelope<CallDeletion>))]
[JsonSerializable(typeof(DataEnvelope<ErasureData>))]
[JsonSerializable(typeof(ErasureBody))]
[JsonSerializable(typeof(DeletedCallData))]
[JsonSerializable(typeof(WebhookCreateBody))]
[JsonSerializable(typeof(WebhookPatchBody))]
[JsonSerializable(typeof(RecoverBody))]
internal sealed partial class WireJsonContext : JsonSerializerContext;

/// <summary>make-call's JSON body.</summary>
internal sealed record MakeCallBody(string From, string To, long AgentId);
