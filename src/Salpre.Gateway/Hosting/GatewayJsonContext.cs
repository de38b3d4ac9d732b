using System.Text.Json;
using System.Text.Json.Serialization;
using Salpre.Gateway.Calls;

namespace Salpre.Gateway.Hosting;

/// <summary>Source-generated serialization for every wire type: snake_case names, contract time format.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(UtcSecondsConverter), typeof(CallStatusConverter), typeof(CallDirectionConverter)])]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(CallListResponse))]
[JsonSerializable(typeof(DataResponse<CallDetails>))]
[JsonSerializable(typeof(DataResponse<ServiceState>))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;
