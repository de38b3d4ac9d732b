using System.Globalization;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Stats;

namespace Salpre.Gateway.Calls.Stats;

/// <summary>
/// Turns the store's rows (counts by local time unit, call fields and status) into the answer: totals, and groups keyed
/// by the dimensions asked. Time dimensions list every value of the range in time order, zeros included, so that a
/// chart has no holes; the others list the values that occur, by calls descending, then by value.
/// </summary>
public static class StatsGroups
{
    public const int MaxGroups = 50_000;

    /// <summary>The answer, or null when it would hold more than <see cref="MaxGroups"/> groups.</summary>
    public static CallStats? Build(CallStatsRequest request, StatsQuery query, IReadOnlyList<StatsRow> rows)
    {
        var totals = new StatsMeasures();
        var groups = new Dictionary<(StatsKey, StatsKey), StatsMeasures>();
        var callsByValue = new Dictionary<StatsKey, long>();
        var dimensions = request.GroupBy;
        // Rows of one bucket (its statuses, its agents...) share their time keys: each is made once.
        var keyMemo = new Dictionary<(StatsDimension, long, int), StatsKey>();
        StatsKey Key(StatsDimension dimension, StatsRow row) => dimension.IsTime()
            ? keyMemo.TryGetValue((dimension, row.Bucket, row.Offset), out var key) ? key : keyMemo[(dimension, row.Bucket, row.Offset)] = KeyOf(dimension, row, query.TimeUnit)
            : KeyOf(dimension, row, query.TimeUnit);
        foreach (var row in rows)
        {
            totals.Add(row.Status, row.Calls, row.Answered, row.TalkSec);
            if (dimensions.Count == 0) continue;
            var keys = (Key(dimensions[0], row), dimensions.Count > 1 ? Key(dimensions[1], row) : default);
            if (!groups.TryGetValue(keys, out var measures))
            {
                groups[keys] = measures = new StatsMeasures();
            }
            measures.Add(row.Status, row.Calls, row.Answered, row.TalkSec);
            Count(callsByValue, keys.Item1, row.Calls);
            if (dimensions.Count > 1) Count(callsByValue, keys.Item2, row.Calls);
        }
        if (dimensions.Count == 0)
        {
            return new CallStats(totals, []);
        }

        var first = Values(dimensions[0], request, query, groups.Keys.Select(k => k.Item1), callsByValue);
        var second = dimensions.Count > 1 ? Values(dimensions[1], request, query, groups.Keys.Select(k => k.Item2), callsByValue) : [default];
        if ((long)first.Count * second.Count > MaxGroups)
        {
            return null;
        }
        // Time dimensions are complete; two call fields keep only the pairs that occur.
        var complete = dimensions.Any(StatsDimensions.IsTime);
        var list = new List<StatsGroup>(complete ? first.Count * second.Count : groups.Count);
        foreach (var a in first)
        {
            foreach (var b in second)
            {
                var found = groups.TryGetValue((a, b), out var measures);
                if (!found && !complete) continue;
                list.Add(new StatsGroup(dimensions.Count > 1 ? [a, b] : [a], measures ?? new StatsMeasures()));
            }
        }
        return new CallStats(totals, list);
    }

    /// <summary>A dimension's values in their order: all of the range for time, those that occur for the rest.</summary>
    private static List<StatsKey> Values(StatsDimension dimension, CallStatsRequest request, StatsQuery query, IEnumerable<StatsKey> present, Dictionary<StatsKey, long> calls)
    {
        if (!dimension.IsTime())
        {
            return [.. present.Distinct().OrderByDescending(key => calls[key]).ThenBy(key => key.Order).ThenBy(key => key.Text, StringComparer.Ordinal)];
        }
        // Made in time order. Not sorted by Order: where a :45 offset falls back an hour, two hours (03:00+13:45 and
        // 02:00+12:45 in Chatham) start at one nominal instant.
        return [.. TimeValues(dimension, request, query).Distinct()];
    }

    private static IEnumerable<StatsKey> TimeValues(StatsDimension dimension, CallStatsRequest request, StatsQuery query)
    {
        switch (dimension)
        {
            case StatsDimension.HourOfDay:
                return Enumerable.Range(0, 24).Select(hour => Key(dimension, hour, null, hour));
            case StatsDimension.Weekday:
                return Enumerable.Range(1, 7).Select(day => Key(dimension, day, null, day));
            case StatsDimension.Hour:
                return LocalHours(request, query).Select(hour => HourKey(hour.Bucket, hour.Offset));
            default:
                var (firstDay, lastDay) = (LocalDay(request.Zone, request.From), LocalDay(request.Zone, request.Until - 1));
                var days = request.From < request.Until ? lastDay - firstDay + 1 : 0;
                return days > MaxGroups ? [] : Enumerable.Range(0, (int)days).Select(i => DayKey(dimension, firstDay + i));
        }
    }

    /// <summary>Every local hour the range touches, each with its offset (a repeated hour is two).</summary>
    private static IEnumerable<(long Bucket, int Offset)> LocalHours(CallStatsRequest request, StatsQuery query)
    {
        var zone = query.Zone;
        var span = 0;
        for (var t = request.From; t < request.Until;)
        {
            while (span + 1 < zone.Count && zone[span + 1].Start <= t) span++;
            var offset = zone[span].OffsetSeconds;
            var bucket = FloorDiv(t + offset, 3600);
            yield return (bucket, offset);
            var next = (bucket + 1) * 3600 - offset;
            t = span + 1 < zone.Count ? Math.Min(next, zone[span + 1].Start) : next;
        }
    }

    private static StatsKey KeyOf(StatsDimension dimension, StatsRow row, StatsTimeUnit unit)
    {
        var day = unit == StatsTimeUnit.Hour ? FloorDiv(row.Bucket, 24) : row.Bucket;
        return dimension switch
        {
            StatsDimension.Hour => HourKey(row.Bucket, row.Offset),
            StatsDimension.HourOfDay => Key(dimension, FloorMod(row.Bucket, 24), null, FloorMod(row.Bucket, 24)),
            StatsDimension.Day or StatsDimension.Week or StatsDimension.Month or StatsDimension.Weekday => DayKey(dimension, day),
            StatsDimension.AgentId => Key(dimension, row.AgentId, null, row.AgentId),
            StatsDimension.Status => Key(dimension, (int)row.Status, row.Status.ToWire(), null),
            StatsDimension.Direction => Key(dimension, (int)row.Direction, row.Direction.ToWire(), null),
            _ => Key(dimension, 0, row.From, null),
        };
    }

    /// <summary>A key of a dimension made of days: the day, its ISO week (Monday first), its month, or its ISO weekday.</summary>
    private static StatsKey DayKey(StatsDimension dimension, long dayNumber)
    {
        var date = DateOnly.FromDayNumber((int)(dayNumber + s_epochDay));
        switch (dimension)
        {
            case StatsDimension.Week:
                var monday = date.AddDays(-(((int)date.DayOfWeek + 6) % 7));
                var week = ISOWeek.GetWeekOfYear(monday.ToDateTime(TimeOnly.MinValue));
                var year = ISOWeek.GetYear(monday.ToDateTime(TimeOnly.MinValue));
                return Key(dimension, monday.DayNumber, string.Create(CultureInfo.InvariantCulture, $"{year:0000}-W{week:00}"), null);
            case StatsDimension.Month:
                return Key(dimension, date.Year * 12 + date.Month, date.ToString("yyyy-MM", CultureInfo.InvariantCulture), null);
            case StatsDimension.Weekday:
                var weekday = ((int)date.DayOfWeek + 6) % 7 + 1;
                return Key(dimension, weekday, null, weekday);
            default:
                return Key(dimension, dayNumber, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null);
        }
    }

    /// <summary>An hour: its local start with the offset, ordered by the UTC instant it begins at.</summary>
    private static StatsKey HourKey(long bucket, int offset)
    {
        var local = DateTime.UnixEpoch.AddHours(bucket);
        var sign = offset < 0 ? '-' : '+';
        var magnitude = TimeSpan.FromSeconds(Math.Abs(offset));
        var text = string.Create(CultureInfo.InvariantCulture, $"{local:yyyy-MM-dd'T'HH}:00{sign}{magnitude.Hours:00}:{magnitude.Minutes:00}");
        return Key(StatsDimension.Hour, bucket * 3600 - offset, text, null);
    }

    private static StatsKey Key(StatsDimension dimension, long order, string? text, long? number) => new(dimension, order, text, number);

    private static long LocalDay(TimeZoneInfo zone, long unixSeconds) => FloorDiv(unixSeconds + ZoneSpans.OffsetAt(zone, unixSeconds), 86_400);

    private static void Count(Dictionary<StatsKey, long> calls, StatsKey key, long add) =>
        calls[key] = calls.TryGetValue(key, out var sum) ? sum + add : add;

    private static long FloorDiv(long value, long unit) => (value - FloorMod(value, unit)) / unit;

    private static long FloorMod(long value, long unit) => ((value % unit) + unit) % unit;

    private static readonly long s_epochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
}
