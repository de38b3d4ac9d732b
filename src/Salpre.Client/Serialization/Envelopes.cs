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
internal sealed partial class WireJsonContext : JsonSerializerContext;

/// <summary>make-call's JSON body.</summary>
internal sealed record MakeCallBody(string From, string To, long AgentId);
