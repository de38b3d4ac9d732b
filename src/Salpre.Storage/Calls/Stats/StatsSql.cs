using System.Data.Common;
using System.Text;

namespace Salpre.Storage.Calls.Stats;

/// <summary>
/// The statements that answer a <see cref="StatsQuery"/>, shared by both stores. A range is read from the coarsest
/// rollups that can tell (whole UTC days by status, blocks of 32 days by agent and status) and finer ones at its edges
/// (hours by status, days by agent), and from the calls for the cut ends and for whatever the rollups do not keep
/// (direction, box, number and duration; an agent with time groups; zones whose offsets are not whole hours). A local
/// day is a UTC day with the hours its offset moves across midnight taken from the hours' rollup. Each statement groups
/// in SQL, so a store reads one row per group and status, and <see cref="Merge"/> adds the parts up.
/// </summary>
internal static class StatsSql
{
    private const int Hour = 3600;
    private const int Day = 86_400;

    /// <summary>
    /// One statement of a plan, with what it binds. A part with <see cref="MovedDays"/> reads hours by the UTC day that
    /// holds them: each of its rows counts on the local day that many days away instead (see <see cref="Rows"/>).
    /// </summary>
    public sealed record Part(string Sql, Action<DbCommand> Bind, int MovedDays = 0);

    private enum Source
    {
        Calls,
        Hours,
        Days,
        AgentDays,
        AgentBlocks,
    }

    /// <summary>A range of one source, in seconds; <see cref="Offset"/> is the whole-hour offset that a Days range is read in.</summary>
    private readonly record struct Range(Source Source, long From, long Until, int Offset = 0);

    public static IReadOnlyList<Part> Plan(long accountId, StatsQuery query, SqlDialect dialect)
    {
        var ranges = Ranges(query).Where(range => range.From < range.Until);
        return [.. ranges.SelectMany(range => Build(accountId, query, range, dialect))];
    }

    private static IEnumerable<Range> Ranges(StatsQuery query)
    {
        var (from, until) = (query.From, query.Until);
        var filter = query.Filter;
        var byAgent = query.Fields.HasFlag(StatsFields.Agent);
        var onlyInCalls = filter.Direction is not null || filter.To is not null || filter.From is not null
                          || filter.MinDuration is not null || filter.MaxDuration is not null
                          || query.Fields.HasFlag(StatsFields.Direction) || query.Fields.HasFlag(StatsFields.From)
                          || (byAgent ? query.TimeUnit != StatsTimeUnit.None : filter.AgentIds.Count > 0);
        if (from >= until)
        {
            return [];
        }
        if (onlyInCalls)
        {
            return [new(Source.Calls, from, until)];
        }
        var (firstHour, lastHour) = (Ceiling(from, Hour), Floor(until, Hour));
        if (byAgent)
        {
            // calls | days | blocks of 32 days | days | calls
            var (firstDay, lastDay) = (Ceiling(from, Day), Floor(until, Day));
            if (firstDay >= lastDay) return [new(Source.Calls, from, until)];
            const long block = (long)Day * CallRollups.BlockDays;
            var (firstBlock, lastBlock) = (Ceiling(firstDay, block), Floor(lastDay, block));
            return firstBlock < lastBlock
                ? [new(Source.Calls, from, firstDay), new(Source.AgentDays, firstDay, firstBlock), new(Source.AgentBlocks, firstBlock, lastBlock),
                   new(Source.AgentDays, lastBlock, lastDay), new(Source.Calls, lastDay, until)]
                : [new(Source.Calls, from, firstDay), new(Source.AgentDays, firstDay, lastDay), new(Source.Calls, lastDay, until)];
        }
        if (firstHour >= lastHour || !FitsWholeHours(query, firstHour, lastHour))
        {
            return [new(Source.Calls, from, until)];
        }
        var inner = query.TimeUnit switch
        {
            StatsTimeUnit.Hour => [new(Source.Hours, firstHour, lastHour)],
            StatsTimeUnit.None => DaysAndHours(firstHour, lastHour, offset: 0),
            _ => Spans(query.Zone, firstHour, lastHour).SelectMany(span => DaysAndHours(
                Math.Max(span.Start, firstHour), Math.Min(span.Until, lastHour), span.OffsetSeconds)),
        };
        return [new(Source.Calls, from, firstHour), .. inner, new(Source.Calls, lastHour, until)];
    }

    /// <summary>Whole UTC days of an hour-aligned range from the days' rollup, its other hours from the hours'.</summary>
    private static IEnumerable<Range> DaysAndHours(long from, long until, int offset)
    {
        var (firstDay, lastDay) = (Ceiling(from, Day), Floor(until, Day));
        return firstDay < lastDay
            ? [new(Source.Hours, from, firstDay), new(Source.Days, firstDay, lastDay, offset), new(Source.Hours, lastDay, until)]
            : [new(Source.Hours, from, until)];
    }

    /// <summary>Reads a row of any part's statement.</summary>
    public static StatsRow Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), (CallDirection)reader.GetInt32(3), reader.GetString(4),
        (CallStatus)reader.GetInt32(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8));

    /// <summary>What a row of a part counts: itself, or for moved hours, the same taken from its UTC day and added to its local day.</summary>
    public static IEnumerable<StatsRow> Rows(Part part, StatsRow row) => part.MovedDays == 0
        ? [row]
        : [row with { Calls = -row.Calls, Answered = -row.Answered, TalkSec = -row.TalkSec }, row with { Bucket = row.Bucket + part.MovedDays }];

    /// <summary>The rows of several parts, the same group and status added up (a correction's rows count negative).</summary>
    public static IReadOnlyList<StatsRow> Merge(IEnumerable<StatsRow> rows)
    {
        var merged = new Dictionary<(long, int, long, CallDirection, string, CallStatus), StatsRow>();
        foreach (var row in rows)
        {
            merged[row.Key] = merged.TryGetValue(row.Key, out var sum)
                ? sum with { Calls = sum.Calls + row.Calls, Answered = sum.Answered + row.Answered, TalkSec = sum.TalkSec + row.TalkSec }
                : row;
        }
        return [.. merged.Values.Where(row => row.Calls != 0 || row.Answered != 0 || row.TalkSec != 0)];
    }

    /// <summary>
    /// Whether whole UTC hours fall into single local time units: the zone's offsets and its changes within the
    /// range are whole hours (not so in India, Nepal or Lord Howe).
    /// </summary>
    private static bool FitsWholeHours(StatsQuery query, long first, long last) =>
        query.TimeUnit == StatsTimeUnit.None
        || Spans(query.Zone, first, last).All(span => span.OffsetSeconds % Hour == 0 && (span.Start <= first || span.Start % Hour == 0));

    private static IEnumerable<Part> Build(long accountId, StatsQuery query, Range range, SqlDialect dialect)
    {
        if (range.Source != Source.Days || query.TimeUnit == StatsTimeUnit.None || range.Offset == 0)
        {
            yield return Select(accountId, query, range, dialect, Shape.Plain);
            yield break;
        }
        // A local day is its UTC day, less the hours the offset moves to the next (east) or the previous (west) local
        // day, plus those the day before (or after) moves into it.
        yield return Select(accountId, query, range, dialect, Shape.Plain);
        yield return Select(accountId, query, range with { Source = Source.Hours }, dialect, Shape.MovedHours) with { MovedDays = Math.Sign(range.Offset) };
    }

    private enum Shape
    {
        Plain,
        MovedHours,
    }

    private static Part Select(long accountId, StatsQuery query, Range range, SqlDialect dialect, Shape shape)
    {
        var fields = query.Fields;
        var (table, instant, bounds, unit) = range.Source switch
        {
            Source.Hours => ("call_stats_hours", "hour * 3600", "hour", Hour),
            Source.Days => ("call_stats_days", "day * 86400", "day", Day),
            Source.AgentDays => ("call_stats_agent_days", "day * 86400", "day", Day),
            Source.AgentBlocks => ("call_stats_agent_blocks", $"block * {Day * CallRollups.BlockDays}", "block", Day * CallRollups.BlockDays),
            _ => ("calls", "started_at", "started_at", 1),
        };
        // The days' rollup read by day holds one row per group already: its rows are read as they are, no grouping.
        var asStored = range.Source == Source.Days && query.TimeUnit == StatsTimeUnit.Day;
        var (calls, answered, talk) = range.Source == Source.Calls ? ("count(*)", "sum(answered)", "sum(coalesce(duration_sec, 0))")
            : asStored ? ("calls", "answered", "talk_sec")
            : ("sum(calls)", "sum(answered)", "sum(talk_sec)");
        var spans = Spans(query.Zone, range.From, range.Until).ToList();
        // A Days range puts each UTC day's counts on the local day of the same date, and its moved hours are read by
        // their UTC day too (Rows moves them); the rest is read in the zone's offsets over the range.
        var offset = range.Source == Source.Days || shape == Shape.MovedHours ? "0" : Offset(instant, spans);
        var (bucket, offsetColumn) = query.TimeUnit switch
        {
            StatsTimeUnit.Day when range.Source == Source.Days => ("day", "0"),
            StatsTimeUnit.Day => (CallRollups.FloorSql($"{instant} + {offset}", Day), "0"),
            StatsTimeUnit.Hour => (CallRollups.FloorSql($"{instant} + {offset}", Hour), offset),
            _ => ("CAST(0 AS bigint)", "0"),
        };
        var columns = new[]
        {
            (bucket, query.TimeUnit != StatsTimeUnit.None),
            (offsetColumn, query.TimeUnit == StatsTimeUnit.Hour),
            (fields.HasFlag(StatsFields.Agent) ? "agent_id" : "CAST(0 AS bigint)", fields.HasFlag(StatsFields.Agent)),
            (fields.HasFlag(StatsFields.Direction) ? "direction" : "0", fields.HasFlag(StatsFields.Direction)),
            (fields.HasFlag(StatsFields.From) ? "from_addr" : "''", fields.HasFlag(StatsFields.From)),
            ("status", true),
        };
        var index = range.Source == Source.Calls && dialect == SqlDialect.Sqlite ? CallSql.IndexFor(query.Filter) : null;
        var sql = new StringBuilder(shape == Shape.MovedHours ? MovedDaysSeries(dialect) : "").Append("SELECT ").AppendJoin(", ", columns.Select(column => column.Item1))
            .Append(asStored ? $", {calls}, {answered}, {talk} FROM " : $", CAST({calls} AS bigint), CAST({answered} AS bigint), CAST({talk} AS bigint) FROM ");
        if (shape == Shape.MovedHours)
        {
            // The hours of each UTC day that belong to the next local day (east of UTC) or the previous one (west):
            // a few hours a day, each day's found by a seek of its own rather than by reading every hour of the range.
            sql.Append($"moved_days JOIN {table} ON hour >= d * 24 + @moved_first AND hour < d * 24 + @moved_until WHERE account_id = @account");
            // PostgreSQL may prefer one read of the range filtered by day (with a status filter, say): it is told the
            // range too. SQLite would seek each day with these bounds instead of the day's own.
            if (dialect == SqlDialect.Postgres) sql.Append(" AND hour >= @range_start AND hour < @range_end");
        }
        else
        {
            sql.Append(table).Append(index is null ? "" : $" INDEXED BY {index}")
                .Append($" WHERE account_id = @account AND {bounds} >= @range_start AND {bounds} < @range_end");
        }

        // Rollups keep status and agent; a call keeps everything the list filters by.
        var rowFilter = range.Source == Source.Calls
            ? query.Filter with { StartedAtOrAfter = null, StartedBefore = null }
            : new CallFilter { StatusMask = query.Filter.StatusMask, AgentIds = range.Source is Source.AgentDays or Source.AgentBlocks ? query.Filter.AgentIds : [] };
        CallSql.AppendFilter(sql, rowFilter);
        if (!asStored)
        {
            var grouped = columns.Select((column, i) => (column.Item2, i + 1)).Where(column => column.Item1).Select(column => column.Item2);
            sql.Append(" GROUP BY ").AppendJoin(", ", grouped);
        }

        return new Part(sql.ToString(), command =>
        {
            CallSql.Add(command, "@account", accountId);
            if (shape == Shape.MovedHours)
            {
                CallSql.Add(command, "@first_day", range.From / Day);
                CallSql.Add(command, "@last_day", range.Until / Day - 1);
            }
            if (shape == Shape.Plain || dialect == SqlDialect.Postgres)
            {
                CallSql.Add(command, "@range_start", range.From / unit);
                CallSql.Add(command, "@range_end", range.Until / unit);
            }
            CallSql.AddFilterParameters(command, rowFilter);
            if (range.Source != Source.Days && shape == Shape.Plain)
            {
                for (var i = 0; i < spans.Count && query.TimeUnit != StatsTimeUnit.None; i++)
                {
                    CallSql.Add(command, $"@o{i}", spans[i].OffsetSeconds);
                    if (i > 0) CallSql.Add(command, $"@z{i}", spans[i].Start);
                }
            }
            if (shape == Shape.MovedHours)
            {
                var hours = Math.Abs(range.Offset) / Hour;
                CallSql.Add(command, "@moved_first", range.Offset > 0 ? 24 - hours : 0);
                CallSql.Add(command, "@moved_until", range.Offset > 0 ? 24 : hours);
            }
        });
    }

    /// <summary>The UTC days @first_day to @last_day as a table <c>moved_days(d)</c>.</summary>
    private static string MovedDaysSeries(SqlDialect dialect) => dialect == SqlDialect.Postgres
        ? "WITH moved_days(d) AS (SELECT * FROM generate_series(CAST(@first_day AS bigint), CAST(@last_day AS bigint))) "
        : "WITH RECURSIVE moved_days(d) AS (SELECT @first_day UNION ALL SELECT d + 1 FROM moved_days WHERE d < @last_day) ";

    /// <summary>The zone's offset at <paramref name="instant"/>, as SQL over the spans that cover the range.</summary>
    private static string Offset(string instant, List<(long Start, long Until, int OffsetSeconds)> spans)
    {
        if (spans.Count <= 1) return "@o0";
        var sql = new StringBuilder("CASE");
        for (var i = 1; i < spans.Count; i++)
        {
            sql.Append($" WHEN {instant} < @z{i} THEN @o{i - 1}");
        }
        return sql.Append($" ELSE @o{spans.Count - 1} END").ToString();
    }

    /// <summary>The spans of the zone that cover [from, until), the first one from before or at <paramref name="from"/>.</summary>
    private static IEnumerable<(long Start, long Until, int OffsetSeconds)> Spans(IReadOnlyList<ZoneSpan> zone, long from, long until)
    {
        var first = 0;
        while (first + 1 < zone.Count && zone[first + 1].Start <= from) first++;
        for (var i = first; i < zone.Count && (i == first || zone[i].Start < until); i++)
        {
            yield return (zone[i].Start, i + 1 < zone.Count ? zone[i + 1].Start : long.MaxValue, zone[i].OffsetSeconds);
        }
    }

    private static long Floor(long value, long unit) => value - ((value % unit) + unit) % unit;

    private static long Ceiling(long value, long unit) => Floor(value + unit - 1, unit);
}
