namespace Salpre.Client.Serialization;

/// <summary>The wire spellings of the enums, in one place for the JSON converters, query strings and the CLI.</summary>
public static class WireNames
{
    private static readonly Dictionary<string, CallStatus> s_statuses = new(StringComparer.Ordinal)
    {
        ["initiated"] = CallStatus.Initiated,
        ["ringing"] = CallStatus.Ringing,
        ["in-progress"] = CallStatus.InProgress,
        ["completed"] = CallStatus.Completed,
        ["busy"] = CallStatus.Busy,
        ["no-answer"] = CallStatus.NoAnswer,
        ["failed"] = CallStatus.Failed,
        ["canceled"] = CallStatus.Canceled,
    };

    public static IReadOnlyCollection<string> Statuses => s_statuses.Keys;

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
        _ => "unknown",
    };

    public static string ToWire(this CallDirection direction) => direction switch
    {
        CallDirection.Outbound => "outbound",
        CallDirection.Inbound => "inbound",
        _ => "unknown",
    };

    public static string ToWire(this CallOrder order) => order == CallOrder.Ascending ? "asc" : "desc";

    public static bool TryParseStatus(string? text, out CallStatus status) =>
        s_statuses.TryGetValue(text ?? "", out status);

    public static bool TryParseDirection(string? text, out CallDirection direction)
    {
        direction = text switch
        {
            "outbound" => CallDirection.Outbound,
            "inbound" => CallDirection.Inbound,
            _ => CallDirection.Unknown,
        };
        return direction != CallDirection.Unknown;
    }
}
