using System.Data.Common;
using System.Text;

namespace Salpre.Storage.Calls.Stats;

/// <summary>
/// The statements that answer a <see cref="StatsQuery"/>, shared by both stores. A range is read from the rollups
/// where they can tell (whole UTC hours by status; whole UTC days by agent and status) and from the calls for the
/// rest: the hours and days cut at its ends, and whatever the rollups do not keep (direction, box, number and
/// duration, an agent with time groups). Each statement groups in SQL, so a store reads one row per group and status.
/// </summary>
internal static class StatsSql
{
    private const int Hour = 3600;
    private const int Day = 86_400;

    /// <summary>One statement of a plan, with what it binds.</summary>
    public sealed record Part(string Sql, Action<DbCommand> Bind);

    private enum Source
    {
        Calls,
        Hours,
        AgentDays,
    }

    public static IReadOnlyList<Part> Plan(long accountId, StatsQuery query, SqlDialect dialect)
    {
        var (from, until) = (query.From, query.Until);
        var filter = query.Filter;
        var byAgent = query.Fields.HasFlag(StatsFields.Agent);
        var onlyInCalls = filter.Direction is not null || filter.To is not null || filter.From is not null
                          || filter.MinDuration is not null || filter.MaxDuration is not null
                          || query.Fields.HasFlag(StatsFields.Direction) || query.Fields.HasFlag(StatsFields.From)
                          || (byAgent ? query.TimeUnit != StatsTimeUnit.None : filter.AgentIds.Count > 0);
        List<(Source Source, long From, long Until)> ranges;
        if (from >= until)
        {
            ranges = [];
        }
        else if (onlyInCalls)
        {
            ranges = [(Source.Calls, from, until)];
        }
        else if (byAgent)
        {
            var (first, last) = (Ceiling(from, Day), Floor(until, Day));
            ranges = first < last ? [(Source.Calls, from, first), (Source.AgentDays, first, last), (Source.Calls, last, until)] : [(Source.Calls, from, until)];
        }
        else
        {
            var (first, last) = (Ceiling(from, Hour), Floor(until, Hour));
            ranges = first < last && FitsWholeHours(query, first, last)
                ? [(Source.Calls, from, first), (Source.Hours, first, last), (Source.Calls, last, until)]
                : [(Source.Calls, from, until)];
        }
        return [.. ranges.Where(range => range.From < range.Until).Select(range => Build(accountId, query, range.Source, range.From, range.Until, dialect))];
    }

    /// <summary>Reads a row of any part's statement.</summary>
    public static StatsRow Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), (CallDirection)reader.GetInt32(3), reader.GetString(4),
        (CallStatus)reader.GetInt32(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8));

    /// <summary>The rows of several parts, the same group and status added up.</summary>
    public static IReadOnlyList<StatsRow> Merge(IEnumerable<StatsRow> rows)
    {
        var merged = new Dictionary<(long, int, long, CallDirection, string, CallStatus), StatsRow>();
        foreach (var row in rows)
        {
            merged[row.Key] = merged.TryGetValue(row.Key, out var sum)
                ? sum with { Calls = sum.Calls + row.Calls, Answered = sum.Answered + row.Answered, TalkSec = sum.TalkSec + row.TalkSec }
                : row;
        }
        return [.. merged.Values];
    }

    /// <summary>
    /// Whether whole UTC hours fall into single local time units: the zone's offsets and its changes between
    /// <paramref name="first"/> and <paramref name="last"/> are whole hours (not so in India, Nepal or Lord Howe).
    /// </summary>
    private static bool FitsWholeHours(StatsQuery query, long first, long last) =>
        query.TimeUnit == StatsTimeUnit.None
        || Spans(query.Zone, first, last).All(span => span.OffsetSeconds % Hour == 0 && (span.Start <= first || span.Start % Hour == 0));

    private static Part Build(long accountId, StatsQuery query, Source source, long from, long until, SqlDialect dialect)
    {
        var fields = query.Fields;
        var (table, instant, index, bounds, calls, answered, talk) = source switch
        {
            Source.Hours => ("call_stats_hours", "hour * 3600", null, "hour", "sum(calls)", "sum(answered)", "sum(talk_sec)"),
            Source.AgentDays => ("call_stats_agent_days", "day * 86400", null, "day", "sum(calls)", "sum(answered)", "sum(talk_sec)"),
            _ => ("calls", "started_at", dialect == SqlDialect.Sqlite ? CallSql.IndexFor(query.Filter) : null, "started_at", "count(*)", "sum(answered)", "sum(coalesce(duration_sec, 0))"),
        };
        var spans = Spans(query.Zone, from, until).ToList();
        var offset = Offset(instant, spans);
        var (bucket, offsetColumn) = query.TimeUnit switch
        {
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
        var sql = new StringBuilder("SELECT ").AppendJoin(", ", columns.Select(column => column.Item1))
            .Append($", CAST({calls} AS bigint), CAST({answered} AS bigint), CAST({talk} AS bigint) FROM {table}")
            .Append(index is null ? "" : $" INDEXED BY {index}")
            .Append($" WHERE account_id = @account AND {bounds} >= @range_start AND {bounds} < @range_end");

        // Rollups keep status and agent; a call keeps everything the list filters by.
        var rowFilter = source == Source.Calls
            ? query.Filter with { StartedAtOrAfter = null, StartedBefore = null }
            : new CallFilter { StatusMask = query.Filter.StatusMask, AgentIds = source == Source.AgentDays ? query.Filter.AgentIds : [] };
        CallSql.AppendFilter(sql, rowFilter);
        var grouped = columns.Select((column, i) => (column.Item2, i + 1)).Where(column => column.Item1).Select(column => column.Item2);
        sql.Append(" GROUP BY ").AppendJoin(", ", grouped);

        var unit = source switch { Source.Hours => Hour, Source.AgentDays => Day, _ => 1 };
        return new Part(sql.ToString(), command =>
        {
            CallSql.Add(command, "@account", accountId);
            CallSql.Add(command, "@range_start", from / unit);
            CallSql.Add(command, "@range_end", until / unit);
            CallSql.AddFilterParameters(command, rowFilter);
            for (var i = 0; i < spans.Count && query.TimeUnit != StatsTimeUnit.None; i++)
            {
                CallSql.Add(command, $"@o{i}", spans[i].OffsetSeconds);
                if (i > 0) CallSql.Add(command, $"@z{i}", spans[i].Start);
            }
        });
    }

    /// <summary>The zone's offset at <paramref name="instant"/>, as SQL over the spans that cover the range.</summary>
    private static string Offset(string instant, List<ZoneSpan> spans)
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
    private static IEnumerable<ZoneSpan> Spans(IReadOnlyList<ZoneSpan> zone, long from, long until)
    {
        var first = 0;
        while (first + 1 < zone.Count && zone[first + 1].Start <= from) first++;
        for (var i = first; i < zone.Count && (i == first || zone[i].Start < until); i++)
        {
            yield return zone[i];
        }
    }

    private static long Floor(long value, long unit) => value - ((value % unit) + unit) % unit;

    private static long Ceiling(long value, long unit) => Floor(value + unit - 1, unit);
}
