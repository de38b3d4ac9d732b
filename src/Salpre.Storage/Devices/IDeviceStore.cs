namespace Salpre.Storage.Devices;

/// <summary>A Salpre Box of an account. Times are Unix seconds.</summary>
public sealed record DeviceRecord(
    long Id,
    long AccountId,
    string SerialNo,
    string DeviceName,
    long CreatedAt,
    long? LastSeen,
    int? BatteryLevel,
    string? FirmwareVersion);

public interface IDeviceStore
{
    /// <summary>Adds a box to an account; null when the serial already belongs to a box (of any account).</summary>
    Task<DeviceRecord?> AddAsync(long accountId, string serialNo, string deviceName, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeviceRecord>> ListAsync(long accountId, CancellationToken cancellationToken);

    /// <summary>Removes a box; its calls keep their <c>from</c>. False when there is no such box.</summary>
    Task<bool> RemoveAsync(long deviceId, CancellationToken cancellationToken);

    /// <summary>The account's box with this serial, or null (also when the serial is another account's).</summary>
    Task<DeviceRecord?> FindAsync(long accountId, string serialNo, CancellationToken cancellationToken);

    /// <summary>
    /// The <c>device.disconnected</c> event of every box told connected whose last heartbeat is before
    /// <paramref name="lastSeenBefore"/> (Unix seconds); how many. Only with device events on.
    /// </summary>
    Task<int> TellDisconnectedAsync(long lastSeenBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Records a heartbeat of the account's box; null when the account has no box with this serial. With device events
    /// on, the first heartbeat since the box was told disconnected (or ever) makes its <c>device.connected</c> event.
    /// </summary>
    Task<DeviceRecord?> RecordHeartbeatAsync(long accountId, string serialNo, int? batteryLevel, string? firmwareVersion, CancellationToken cancellationToken);
}
