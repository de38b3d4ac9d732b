using System.Text.Json;
using System.Text.Json.Serialization;
using Salpre.Gateway.Calls;
using Salpre.Gateway.Devices;

namespace Salpre.Gateway.Hosting;

/// <summary>
/// Source-generated serialization for every wire type, in snake_case. Converters sit on the properties that need
/// them, not in the options, so that the generated fast path stays usable.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(CallListResponse))]
[JsonSerializable(typeof(Calls.Stats.CallStatsResponse))]
[JsonSerializable(typeof(DataResponse<CallDetails>))]
[JsonSerializable(typeof(DataResponse<ServiceState>))]
[JsonSerializable(typeof(DataResponse<MakeCallResult>))]
[JsonSerializable(typeof(DataResponse<CallItem>))]
[JsonSerializable(typeof(DataResponse<IReadOnlyList<CallLogEntry>>))]
[JsonSerializable(typeof(DataResponse<IReadOnlyList<DeviceItem>>))]
[JsonSerializable(typeof(DataResponse<DeviceItem>))]
[JsonSerializable(typeof(DeviceItem))]
[JsonSerializable(typeof(HeartbeatBody))]
[JsonSerializable(typeof(CallEventBody))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(Events.EventItem))]
[JsonSerializable(typeof(Events.EventListResponse))]
[JsonSerializable(typeof(Events.CallEventData))]
[JsonSerializable(typeof(Events.TestEventData))]
[JsonSerializable(typeof(Events.DeletedCallData))]
[JsonSerializable(typeof(DataResponse<Calls.Removal.CallDeletion>))]
[JsonSerializable(typeof(DataResponse<Calls.Removal.ErasureResult>))]
[JsonSerializable(typeof(Calls.Removal.ErasureBody))]
[JsonSerializable(typeof(DataResponse<Events.EventItem>))]
[JsonSerializable(typeof(DataResponse<Webhooks.WebhookItem>))]
[JsonSerializable(typeof(DataResponse<IReadOnlyList<Webhooks.WebhookItem>>))]
[JsonSerializable(typeof(DataResponse<Webhooks.DeletedResult>))]
[JsonSerializable(typeof(DataResponse<Webhooks.RetriedResult>))]
[JsonSerializable(typeof(DataResponse<Webhooks.RecoverResult>))]
[JsonSerializable(typeof(Webhooks.DeliveryListResponse))]
[JsonSerializable(typeof(Webhooks.WebhookCreateBody))]
[JsonSerializable(typeof(Webhooks.WebhookPatchBody))]
[JsonSerializable(typeof(Webhooks.RecoverBody))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;
