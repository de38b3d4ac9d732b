using Salpre.Storage.Calls.Stats;

namespace Salpre.Gateway.Calls.Stats;

/// <summary>What statistics may be grouped by: buckets of local time, cycles of it, and fields of the call.</summary>
public enum StatsDimension
{
    Hour,
    Day,
    Week,
    Month,
    HourOfDay,
    Weekday,
    AgentId,
    Status,
    Direction,
    From,
}

public static class StatsDimensions
{
    private static readonly Dictionary<string, StatsDimension> s_byName = new(StringComparer.Ordinal)
    {
        ["hour"] = StatsDimension.Hour,
        ["day"] = StatsDimension.Day,
        ["week"] = StatsDimension.Week,
        ["month"] = StatsDimension.Month,
        ["hour_of_day"] = StatsDimension.HourOfDay,
        ["weekday"] = StatsDimension.Weekday,
        ["agent_id"] = StatsDimension.AgentId,
        ["status"] = StatsDimension.Status,
        ["direction"] = StatsDimension.Direction,
        ["from"] = StatsDimension.From,
    };

    public static IEnumerable<string> Names => s_byName.Keys;

    public static bool TryParse(string name, out StatsDimension dimension) => s_byName.TryGetValue(name, out dimension);

    public static string Name(this StatsDimension dimension) => s_byName.First(pair => pair.Value == dimension).Key;

    /// <summary>Time dimensions have every value of the range, in time order, with zeros where nothing happened.</summary>
    public static bool IsTime(this StatsDimension dimension) => dimension <= StatsDimension.Weekday;

    /// <summary>The local time unit the dimensions need from the store: hours for hourly ones, else days, else none.</summary>
    public static StatsTimeUnit TimeUnit(IReadOnlyList<StatsDimension> dimensions) =>
        dimensions.Any(d => d is StatsDimension.Hour or StatsDimension.HourOfDay) ? StatsTimeUnit.Hour
        : dimensions.Any(IsTime) ? StatsTimeUnit.Day
        : StatsTimeUnit.None;

    /// <summary>The call's own fields the dimensions need from the store.</summary>
    public static StatsFields Fields(IReadOnlyList<StatsDimension> dimensions) =>
        (dimensions.Contains(StatsDimension.AgentId) ? StatsFields.Agent : StatsFields.None)
        | (dimensions.Contains(StatsDimension.Direction) ? StatsFields.Direction : StatsFields.None)
        | (dimensions.Contains(StatsDimension.From) ? StatsFields.From : StatsFields.None);
}
