namespace Salpre.Storage.Calls;

/// <summary>A call's status. The numeric values are stored; never renumber them.</summary>
public enum CallStatus
{
    Initiated = 0,
    Ringing = 1,
    InProgress = 2,
    Completed = 3,
    Busy = 4,
    NoAnswer = 5,
    Failed = 6,
    Canceled = 7,
}

public enum CallDirection
{
    Outbound = 0,
    Inbound = 1,
}

public static class CallStatuses
{
    public const int Count = 8;

    public static bool IsFinal(this CallStatus status) => status >= CallStatus.Completed;

    /// <summary>The wire name, as the contract spells it.</summary>
    public static string ToWire(this CallStatus status) => status switch
    {
        CallStatus.Initiated => "initiated",
        CallStatus.Ringing => "ringing",
        CallStatus.InProgress => "in-progress",
        CallStatus.Completed => "completed",
        CallStatus.Busy => "busy",
        CallStatus.NoAnswer => "no-answer",
        CallStatus.Failed => "failed",
        CallStatus.Canceled => "canceled",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(ReadOnlySpan<char> text, out CallStatus status)
    {
        for (var i = 0; i < Count; i++)
        {
            if (text.SequenceEqual(((CallStatus)i).ToWire()))
            {
                status = (CallStatus)i;
                return true;
            }
        }
        status = default;
        return false;
    }

    public static string ToWire(this CallDirection direction) =>
        direction == CallDirection.Outbound ? "outbound" : "inbound";

    public static bool TryParse(ReadOnlySpan<char> text, out CallDirection direction)
    {
        switch (text)
        {
            case "outbound": direction = CallDirection.Outbound; return true;
            case "inbound": direction = CallDirection.Inbound; return true;
            default: direction = default; return false;
        }
    }
}
