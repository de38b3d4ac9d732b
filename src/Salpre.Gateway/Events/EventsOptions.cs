namespace Salpre.Gateway.Events;

/// <summary>Bound from the <c>Events</c> configuration section.</summary>
public sealed class EventsOptions
{
    public const string Section = "Events";

    /// <summary>How long the feed keeps an event (and its deliveries); older ones are forgotten.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Whether boxes make <c>device.connected</c> (a heartbeat after none for <c>Devices:ConnectedWindow</c>, or the
    /// first) and <c>device.disconnected</c> (no heartbeat for that long) events. Off unless asked.
    /// </summary>
    public bool DeviceEvents { get; set; }

    /// <summary>How often each node looks for boxes that stopped sending heartbeats (with <see cref="DeviceEvents"/>).</summary>
    public TimeSpan DeviceSweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each node forgets what is past <see cref="Retention"/>.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);
}
