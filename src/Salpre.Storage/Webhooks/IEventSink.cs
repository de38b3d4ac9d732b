using Salpre.Storage.Calls;
using Salpre.Storage.Devices;

namespace Salpre.Storage.Webhooks;

/// <summary>
/// What a call write needs to make its event in its own transaction: the gateway renders the event's data (the call
/// as the API shows it) and is told, once the write has committed, that deliveries may be waiting.
/// </summary>
public interface IEventSink
{
    TimeProvider Time { get; }

    /// <summary>The event's <c>data</c>: the call object as the list shows it, then <c>previous_status</c> and <c>sequence</c>.</summary>
    string CallData(CallRecord call, CallStatus? previousStatus, int sequence);

    /// <summary>A <c>call.deleted</c> event's <c>data</c>: the call's id and nothing else, so that no personal data outlives the call.</summary>
    string DeletedCallData(long callNum);

    /// <summary>Whether boxes make <c>device.connected</c> and <c>device.disconnected</c> events (opt-in).</summary>
    bool DeviceEvents { get; }

    /// <summary>A device event's <c>data</c>: the box as the device list shows it.</summary>
    string DeviceData(DeviceRecord device, bool connected);

    /// <summary>
    /// Called after a write that made deliveries has committed (a call's write when its event made some; an import
    /// or a box's event, which may have).
    /// </summary>
    void Committed();
}
