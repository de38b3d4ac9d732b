using System.Text.Json.Serialization;
using Salpre.Gateway.Hosting;
using Salpre.Storage.Devices;

namespace Salpre.Gateway.Devices;

/// <summary>A Salpre Box as Salpre's List Devices page shows it.</summary>
public sealed record DeviceItem(
    long Id,
    string SerialNo,
    string DeviceName,
    bool Connected,
    int? BatteryLevel,
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset? LastSeen,
    string? FirmwareVersion)
{
    public static DeviceItem Of(DeviceRecord device, bool connected) => new(
        device.Id,
        device.SerialNo,
        device.DeviceName,
        connected,
        device.BatteryLevel,
        device.LastSeen is { } seen ? DateTimeOffset.FromUnixTimeSeconds(seen) : null,
        device.FirmwareVersion);
}

/// <summary>Bound from the <c>Devices</c> configuration section.</summary>
public sealed class DeviceOptions
{
    public const string Section = "Devices";

    /// <summary>A box is connected while its last heartbeat is at most this old.</summary>
    public TimeSpan ConnectedWindow { get; set; } = TimeSpan.FromSeconds(120);
}

/// <summary>Whether a box counts as connected now.</summary>
public sealed class DeviceConnectivity(TimeProvider time, Microsoft.Extensions.Options.IOptions<DeviceOptions> options)
{
    public bool IsConnected(DeviceRecord device) =>
        device.LastSeen is { } seen && time.GetUtcNow().ToUnixTimeSeconds() - seen <= (long)options.Value.ConnectedWindow.TotalSeconds;
}
