using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Stats;

namespace Salpre.Gateway.Calls.Stats;

/// <summary>
/// A validated <c>GET /call/stats</c> query: the list's filters, a range that defaults to the last 30 days of the zone
/// (today included), and up to two dimensions to group by.
/// </summary>
public sealed record CallStatsRequest(CallFilter Filter, TimeZoneInfo Zone, IReadOnlyList<StatsDimension> GroupBy, IReadOnlyList<string>? IgnoredParameters)
{
    public const int DefaultDays = 30;

    private static readonly HashSet<string> s_knownNames = new(CallFilterParameters.Names, StringComparer.OrdinalIgnoreCase) { "group_by" };

    public long From => Filter.StartedAtOrAfter!.Value;

    public long Until => Filter.StartedBefore!.Value;

    /// <summary>Parses the query, or names the first parameter that is invalid.</summary>
    public static bool TryParse(IQueryCollection query, string? rawQuery, DateTimeOffset now, out CallStatsRequest request, out string invalidParameter)
    {
        request = null!;
        if (CallFilterParameters.Parse(query, rawQuery, out var filter, out var zone) is { } invalid)
        {
            invalidParameter = invalid;
            return false;
        }
        if (!TryParseGroupBy(query, out var groupBy))
        {
            invalidParameter = "group_by";
            return false;
        }

        // Without bounds: the zone's last 30 days, today included, so that a chart by day has exactly 30 bars.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var until = filter.StartedBefore ?? Instants.StartOfDay(today.AddDays(1), zone)!.Value.ToUnixTimeSeconds();
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(until - 1), zone).DateTime);
        var firstDay = DateOnly.FromDayNumber(Math.Max(0, lastDay.DayNumber + 1 - DefaultDays));
        var from = filter.StartedAtOrAfter ?? Instants.StartOfDay(firstDay, zone)?.ToUnixTimeSeconds() ?? until;
        var ignored = query.Keys.Where(name => !s_knownNames.Contains(name)).ToArray();
        request = new CallStatsRequest(filter with { StartedAtOrAfter = from, StartedBefore = until }, zone, groupBy, ignored.Length == 0 ? null : ignored);
        invalidParameter = "";
        return true;
    }

    /// <summary>The store's part of the request: what to count, by which local unit in which offsets, by which fields.</summary>
    public StatsQuery ToStoreQuery() => new(Filter, StatsDimensions.TimeUnit(GroupBy), ZoneSpans.Over(Zone, From, Until), StatsDimensions.Fields(GroupBy));

    /// <summary>Nothing, or one or two different dimensions separated by a comma.</summary>
    private static bool TryParseGroupBy(IQueryCollection query, out IReadOnlyList<StatsDimension> groupBy)
    {
        groupBy = [];
        if (!CallFilterParameters.TryGetSingle(query, "group_by", out var text)) return false;
        if (text is null) return true;
        var dimensions = new List<StatsDimension>();
        foreach (var name in text.Split(','))
        {
            if (!StatsDimensions.TryParse(name, out var dimension) || dimensions.Contains(dimension)) return false;
            dimensions.Add(dimension);
        }
        groupBy = dimensions;
        return dimensions.Count is 1 or 2;
    }
}

/// <summary>A zone's offsets over a range, found day by day and, where one changes, to the second.</summary>
public static class ZoneSpans
{
    public static IReadOnlyList<ZoneSpan> Over(TimeZoneInfo zone, long from, long until)
    {
        var spans = new List<ZoneSpan> { new(from, OffsetAt(zone, from)) };
        if (zone.GetAdjustmentRules().Length == 0 && zone.BaseUtcOffset == TimeSpan.FromSeconds(spans[0].OffsetSeconds))
        {
            return spans; // a zone that never changes its offset
        }
        for (var day = from; day < until; day += 86_400)
        {
            var next = Math.Min(day + 86_400, until);
            if (OffsetAt(zone, next) == spans[^1].OffsetSeconds) continue;
            // The first second of the new offset: zones change at most once in a day.
            var (before, after) = (day, next);
            while (after - before > 1)
            {
                var middle = before + (after - before) / 2;
                (before, after) = OffsetAt(zone, middle) == spans[^1].OffsetSeconds ? (middle, after) : (before, middle);
            }
            spans.Add(new ZoneSpan(after, OffsetAt(zone, after)));
        }
        return spans;
    }

    public static int OffsetAt(TimeZoneInfo zone, long unixSeconds) =>
        (int)zone.GetUtcOffset(DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unixSeconds, MinSeconds, MaxSeconds))).TotalSeconds;

    private static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds() + 86_400;
    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 86_400;
}
