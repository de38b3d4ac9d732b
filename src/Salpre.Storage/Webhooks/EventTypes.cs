using Salpre.Storage.Calls;

namespace Salpre.Storage.Webhooks;

/// <summary>
/// The event types, each a bit of an endpoint's <c>types</c> mask. Names use <c>_</c> as Standard Webhooks advises
/// (<c>call.in_progress</c>); <c>data.status</c> keeps the API's own spelling. The bits are stored: never renumber them.
/// </summary>
public static class EventTypes
{
    public const string DeviceConnected = "device.connected";
    public const string DeviceDisconnected = "device.disconnected";
    public const string Test = "webhook.test";
    public const string CallDeleted = "call.deleted";

    // Bits 0-7 are the call statuses, in CallStatus order.
    private static readonly string[] s_names =
    [
        "call.initiated", "call.ringing", "call.in_progress", "call.completed", "call.busy", "call.no_answer", "call.failed", "call.canceled",
        DeviceConnected, DeviceDisconnected, Test, CallDeleted,
    ];

    /// <summary>Every type, in bit order.</summary>
    public static IReadOnlyList<string> All => s_names;

    /// <summary>The types an endpoint may subscribe to (webhook.test goes to the endpoint it tests, whatever it takes).</summary>
    public static IEnumerable<string> Subscribable => s_names.Where(name => name != Test);

    /// <summary>The call types (every status, and call.deleted): what an endpoint created without <c>event_types</c> takes.</summary>
    public static long CallMask => ((1L << CallStatuses.Count) - 1) | BitOf(CallDeleted);

    public static string Of(CallStatus status) => s_names[(int)status];

    public static long BitOf(string type) => Array.IndexOf(s_names, type) is var index and >= 0 ? 1L << index : 0;

    public static bool IsKnown(string type) => Array.IndexOf(s_names, type) >= 0;

    /// <summary>The names of the types in a mask, in bit order.</summary>
    public static IReadOnlyList<string> Names(long mask) => [.. s_names.Where((_, index) => (mask & (1L << index)) != 0)];

    public static long MaskOf(IEnumerable<string> types) => types.Aggregate(0L, (mask, type) => mask | BitOf(type));
}
