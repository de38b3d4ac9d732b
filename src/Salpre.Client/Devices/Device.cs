using System.Text.Json;
using System.Text.Json.Serialization;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>A Salpre Box of the account.</summary>
public sealed record Device
{
    public long Id { get; init; }

    public string SerialNo { get; init; } = "";

    public string DeviceName { get; init; } = "";

    /// <summary>Whether the box has sent a heartbeat recently.</summary>
    public bool Connected { get; init; }

    /// <summary>Percent, when the box reports it.</summary>
    public int? BatteryLevel { get; init; }

    [JsonConverter(typeof(NullableUtcSecondsConverter))]
    public DateTimeOffset? LastSeen { get; init; }

    public string? FirmwareVersion { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalFields { get; set; }
}
