using System.Text.Json.Serialization;

namespace Salpre.Client.Serialization;

/// <summary>
/// Source-generated JSON for the client's models, in the API's own form (snake_case, UTC seconds, wire statuses),
/// for callers that store or print what they fetched.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(Call))]
[JsonSerializable(typeof(CallDetails))]
[JsonSerializable(typeof(List<Call>))]
[JsonSerializable(typeof(List<CallLogEntry>))]
[JsonSerializable(typeof(MadeCall))]
[JsonSerializable(typeof(CallDeletion))]
[JsonSerializable(typeof(List<Device>))]
[JsonSerializable(typeof(CallStatsMeasures))]
[JsonSerializable(typeof(CallStatsGroup))]
[JsonSerializable(typeof(List<CallStatsGroup>))]
[JsonSerializable(typeof(Dictionary<string, System.Text.Json.JsonElement>))]
[JsonSerializable(typeof(SalpreEvent))]
[JsonSerializable(typeof(List<SalpreEvent>))]
[JsonSerializable(typeof(CallEventData))]
[JsonSerializable(typeof(Device))]
[JsonSerializable(typeof(Webhook))]
[JsonSerializable(typeof(List<Webhook>))]
[JsonSerializable(typeof(WebhookDelivery))]
[JsonSerializable(typeof(List<WebhookDelivery>))]
public sealed partial class SalpreJsonContext : JsonSerializerContext;
