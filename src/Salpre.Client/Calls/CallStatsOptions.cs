namespace Salpre.Client;

/// <summary>
/// What to count (the list's filters), in which zone, and by what: the options of <see cref="CallsClient.GetStatsAsync"/>.
/// Without <see cref="CallFilterOptions.StartedAfter"/> and <see cref="CallFilterOptions.StartedBefore"/> the server
/// counts the zone's last 30 days, today included.
/// </summary>
public sealed record CallStatsOptions : CallFilterOptions
{
    /// <summary>No filter, no grouping: the totals of the last 30 days in UTC.</summary>
    public CallStatsOptions()
    {
    }

    /// <summary>The filters of <paramref name="filters"/> (a <see cref="CallListOptions"/>, say), without its paging or order.</summary>
    public CallStatsOptions(CallFilterOptions filters)
        : base(filters ?? throw new ArgumentNullException(nameof(filters)))
    {
    }

    /// <summary>
    /// The IANA zone (<c>Europe/Istanbul</c>) of the time groups (hour, day, week, month, hour of day, weekday) and of the
    /// default range; the server's default is UTC.
    /// </summary>
    public string? TimeZone { get; init; }

    /// <summary>
    /// One or two different dimensions, in the order the groups are keyed and sorted by; none gives the totals alone.
    /// The server refuses more than two, a repeated one, or more than 50,000 groups (400, <c>param</c> <c>group_by</c>).
    /// </summary>
    public IReadOnlyList<CallStatsDimension>? GroupBy { get; init; }
}

/// <summary>What statistics may be grouped by: buckets of local time, cycles of it, and fields of the call.</summary>
public enum CallStatsDimension
{
    /// <summary>The local hour (<see cref="CallStatsGroup.Hour"/>).</summary>
    Hour,

    /// <summary>The local day (<see cref="CallStatsGroup.Day"/>).</summary>
    Day,

    /// <summary>The ISO week, Monday first (<see cref="CallStatsGroup.Week"/>).</summary>
    Week,

    /// <summary>The month (<see cref="CallStatsGroup.Month"/>).</summary>
    Month,

    /// <summary>The local hour of the day, 0 to 23, over the whole range (<see cref="CallStatsGroup.HourOfDay"/>).</summary>
    HourOfDay,

    /// <summary>The ISO weekday, Monday 1 to Sunday 7, over the whole range (<see cref="CallStatsGroup.Weekday"/>).</summary>
    Weekday,

    /// <summary>The agent (<see cref="CallStatsGroup.AgentId"/>).</summary>
    AgentId,

    /// <summary>The call's status (<see cref="CallStatsGroup.Status"/>).</summary>
    Status,

    /// <summary>Outbound or inbound (<see cref="CallStatsGroup.Direction"/>).</summary>
    Direction,

    /// <summary>The caller, the box (<see cref="CallStatsGroup.From"/>).</summary>
    From,
}
