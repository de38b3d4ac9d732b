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

    private static readonly Dictionary<string, CallStatsDimension> s_dimensions = new(StringComparer.Ordinal)
    {
        ["hour"] = CallStatsDimension.Hour,
        ["day"] = CallStatsDimension.Day,
        ["week"] = CallStatsDimension.Week,
        ["month"] = CallStatsDimension.Month,
        ["hour_of_day"] = CallStatsDimension.HourOfDay,
        ["weekday"] = CallStatsDimension.Weekday,
        ["agent_id"] = CallStatsDimension.AgentId,
        ["status"] = CallStatsDimension.Status,
        ["direction"] = CallStatsDimension.Direction,
        ["from"] = CallStatsDimension.From,
    };

    public static IReadOnlyCollection<string> Statuses => s_statuses.Keys;

    /// <summary>The statistics' dimensions as <c>group_by</c> names them, in the enum's order.</summary>
    public static IReadOnlyCollection<string> Dimensions => s_dimensions.Keys;

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

    /// <summary>The dimension's name in <c>group_by</c> and in the groups' keys (<c>hour_of_day</c>).</summary>
    public static string ToWire(this CallStatsDimension dimension) => dimension switch
    {
        CallStatsDimension.Hour => "hour",
        CallStatsDimension.Day => "day",
        CallStatsDimension.Week => "week",
        CallStatsDimension.Month => "month",
        CallStatsDimension.HourOfDay => "hour_of_day",
        CallStatsDimension.Weekday => "weekday",
        CallStatsDimension.AgentId => "agent_id",
        CallStatsDimension.Status => "status",
        CallStatsDimension.Direction => "direction",
        CallStatsDimension.From => "from",
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Not a dimension."),
    };

    public static bool TryParseDimension(string? text, out CallStatsDimension dimension) =>
        s_dimensions.TryGetValue(text ?? "", out dimension);

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
