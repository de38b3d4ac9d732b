using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>The event types (with <c>_</c>, as Standard Webhooks advises; a call's <c>data.status</c> keeps the API's spelling).</summary>
public static class EventTypes
{
    public const string CallPrefix = "call.";
    public const string DevicePrefix = "device.";

    public const string CallInitiated = "call.initiated";
    public const string CallRinging = "call.ringing";
    public const string CallInProgress = "call.in_progress";
    public const string CallCompleted = "call.completed";
    public const string CallBusy = "call.busy";
    public const string CallNoAnswer = "call.no_answer";
    public const string CallFailed = "call.failed";
    public const string CallCanceled = "call.canceled";

    /// <summary>A call deleted, alone or by an erasure (retention makes none); its data is the call's id alone (<see cref="SalpreEvent.DeletedCallId"/>).</summary>
    public const string CallDeleted = "call.deleted";

    /// <summary>A box's first heartbeat, or the first after a silence (when the gateway runs with <c>Events:DeviceEvents</c>).</summary>
    public const string DeviceConnected = "device.connected";

    /// <summary>A box that stopped sending heartbeats (when the gateway runs with <c>Events:DeviceEvents</c>).</summary>
    public const string DeviceDisconnected = "device.disconnected";

    /// <summary>What a webhook's test sends; never in the feed.</summary>
    public const string WebhookTest = "webhook.test";

    /// <summary>Every type of the feed (and of an endpoint's subscription), calls first.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        CallInitiated, CallRinging, CallInProgress, CallCompleted, CallBusy, CallNoAnswer, CallFailed, CallCanceled, CallDeleted,
        DeviceConnected, DeviceDisconnected,
    ];

    /// <summary>The type of the event a call's move to <paramref name="status"/> makes (<c>call.no_answer</c>).</summary>
    public static string Of(CallStatus status) =>
        status == CallStatus.Unknown
            ? throw new ArgumentOutOfRangeException(nameof(status), status, "No event type for an unknown status.")
            : CallPrefix + status.ToWire().Replace('-', '_');
}
