using System.Globalization;
using System.Text.Json.Serialization;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>The answer of <see cref="CallsClient.GetStatsAsync"/>: totals, groups, and what they cover.</summary>
/// <param name="Totals">Every matching call of the range.</param>
/// <param name="Groups">
/// One per key (or pair of keys) in the server's order: time groups cover the whole range in time order, zeros
/// included; the others are ordered by calls descending, then by value. Empty without <see cref="CallStatsOptions.GroupBy"/>.
/// </param>
/// <param name="StartedAfter">The start of the range counted (inclusive), as the server resolved it.</param>
/// <param name="StartedBefore">The end of the range counted (exclusive).</param>
/// <param name="TimeZone">The IANA zone of the time groups.</param>
/// <param name="GroupBy">The dimensions the groups are keyed by, in order.</param>
/// <param name="IgnoredParameters">Query parameters the server did not know.</param>
public sealed record CallStats(
    CallStatsMeasures Totals,
    IReadOnlyList<CallStatsGroup> Groups,
    DateTimeOffset StartedAfter,
    DateTimeOffset StartedBefore,
    string TimeZone,
    IReadOnlyList<CallStatsDimension> GroupBy,
    IReadOnlyList<string> IgnoredParameters);

/// <summary>What a set of calls adds up to.</summary>
public record CallStatsMeasures
{
    /// <summary>The number of calls.</summary>
    public long Calls { get; init; }

    /// <summary>
    /// Calls by status: the eight statuses, 0 where none. A status newer than this client is counted under
    /// <see cref="CallStatus.Unknown"/>, which appears only then.
    /// </summary>
    [JsonConverter(typeof(CallStatusCountsConverter))]
    public IReadOnlyDictionary<CallStatus, long> ByStatus { get; init; } = CallStatusCountsConverter.Zeros;

    /// <summary>Calls that were answered (reached in-progress).</summary>
    public long Answered { get; init; }

    /// <summary>Answered among the calls that ended (0 to 1, to 4 decimals); null when none ended.</summary>
    public double? AnswerRate { get; init; }

    /// <summary>Talk time of the answered calls that ended, in seconds.</summary>
    public long TalkSecTotal { get; init; }

    /// <summary>Average talk time of the answered calls that ended, in seconds (to 4 decimals); null when none.</summary>
    public double? TalkSecAvg { get; init; }
}

/// <summary>
/// One group: its measures, and its key, one value per dimension of <see cref="CallStatsOptions.GroupBy"/> (the
/// properties of the other dimensions are null).
/// </summary>
[JsonConverter(typeof(CallStatsGroupConverter))]
public sealed record CallStatsGroup : CallStatsMeasures
{
    public CallStatsGroup()
    {
    }

    /// <summary>A group with <paramref name="measures"/>' numbers; set its keys with an initializer.</summary>
    public CallStatsGroup(CallStatsMeasures measures)
        : base(measures ?? throw new ArgumentNullException(nameof(measures)))
    {
    }

    /// <summary>The dimensions this group is keyed by, in the order of the answer (which is <see cref="CallStats.GroupBy"/>).</summary>
    public IReadOnlyList<CallStatsDimension> Dimensions { get; init; } = [];

    /// <summary>The local hour's start with its offset (<c>2026-11-01T13:00+03:00</c>); a repeated hour is two groups.</summary>
    public DateTimeOffset? Hour { get; init; }

    /// <summary>The local day.</summary>
    public DateOnly? Day { get; init; }

    /// <summary>The ISO week, such as <c>2026-W44</c>.</summary>
    public string? Week { get; init; }

    /// <summary>The month, as its first day (the wire's <c>2026-11</c> is 1 November 2026).</summary>
    public DateOnly? Month { get; init; }

    /// <summary>The local hour of the day, 0 to 23.</summary>
    public int? HourOfDay { get; init; }

    /// <summary>The ISO weekday: Monday 1 to Sunday 7.</summary>
    public int? Weekday { get; init; }

    public long? AgentId { get; init; }

    public CallStatus? Status { get; init; }

    public CallDirection? Direction { get; init; }

    /// <summary>The caller, <c>salprebox:SERIAL_NO</c>.</summary>
    public string? From { get; init; }

    /// <summary>
    /// This group's value of <paramref name="dimension"/> as the API writes it (<c>2026-11-01T13:00+03:00</c>,
    /// <c>2026-11-01</c>, <c>2026-W44</c>, <c>2026-11</c>, <c>13</c>, <c>7</c>, <c>5</c>, <c>no-answer</c>,
    /// <c>outbound</c>, <c>salprebox:SALPRE_123456</c>), for labels and files; null when the group has none.
    /// </summary>
    public string? KeyText(CallStatsDimension dimension) => dimension switch
    {
        CallStatsDimension.Hour => Hour?.ToString("yyyy-MM-dd'T'HH:mmzzz", CultureInfo.InvariantCulture),
        CallStatsDimension.Day => Day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        CallStatsDimension.Week => Week,
        CallStatsDimension.Month => Month?.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        CallStatsDimension.HourOfDay => HourOfDay?.ToString(CultureInfo.InvariantCulture),
        CallStatsDimension.Weekday => Weekday?.ToString(CultureInfo.InvariantCulture),
        CallStatsDimension.AgentId => AgentId?.ToString(CultureInfo.InvariantCulture),
        CallStatsDimension.Status => Status?.ToWire(),
        CallStatsDimension.Direction => Direction?.ToWire(),
        CallStatsDimension.From => From,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Not a dimension."),
    };
}
