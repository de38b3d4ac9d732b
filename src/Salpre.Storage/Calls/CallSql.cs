using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;

namespace Salpre.Storage.Calls;

/// <summary>The SQL a store speaks: the call list's text differs only in SQLite's index hints.</summary>
internal enum SqlDialect
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The SQL of the call list, shared by every store: one indexed range read in list order, with the page's start
/// given as a row-value keyset bound so that any depth costs the same.
/// </summary>
internal static class CallSql
{
    private const string Columns =
        "call_num, status, from_addr, to_addr, agent_id, direction, started_at, ended_at, duration_sec";

    // The unfiltered first pages and cursor pages are most of the traffic: their text is built once per page size.
    private static readonly ConcurrentDictionary<(bool Ascending, bool Keyset, int Limit), string> s_unfiltered = new();

    // The same texts with the version read before them (unfiltered ones only, like s_unfiltered).
    private static readonly ConcurrentDictionary<string, string> s_withVersion = new(StringComparer.Ordinal);

    // The unfiltered text names no index, so both dialects share it.
    public static string ListSql(CallQuery query, SqlDialect dialect)
    {
        var keyset = query.After is not null;
        var useOffset = UsesOffset(query);
        return query.Filter.IsEmpty && !useOffset
            ? s_unfiltered.GetOrAdd((query.Ascending, keyset, query.Limit), static shape => BuildList(CallFilter.None, shape.Ascending, shape.Keyset, false, shape.Limit, null))
            : BuildList(query.Filter, query.Ascending, keyset, useOffset, query.Limit, IndexHint(query.Filter, dialect));
    }

    /// <summary>
    /// SQLite has no statistics to plan with here, so it is told which index serves the filter; PostgreSQL's
    /// planner chooses among the same indexes by itself.
    /// </summary>
    private static string? IndexHint(CallFilter filter, SqlDialect dialect) =>
        dialect == SqlDialect.Sqlite ? IndexFor(filter) : null;

    /// <summary>
    /// The index that serves a filter as one range in list order. Only single values qualify: a list of statuses or
    /// agents spans several ranges, which would need a sort of every match, so the table's own order serves it.
    /// </summary>
    internal static string? IndexFor(CallFilter filter)
    {
        var oneStatus = filter.StatusMask != 0 && (filter.StatusMask & (filter.StatusMask - 1)) == 0;
        var oneAgent = filter.AgentIds.Count == 1;
        return filter.To is not null ? "ix_calls_to"
            : oneAgent && oneStatus ? "ix_calls_agent_status"
            : oneAgent ? "ix_calls_agent"
            : oneStatus ? "ix_calls_status"
            : null;
    }

    /// <summary>The account's calls version (first result), then <see cref="ListSql"/> (second), in one command.</summary>
    public static string ListWithVersionSql(CallQuery query, SqlDialect dialect)
    {
        var list = ListSql(query, dialect);
        return query.Filter.IsEmpty && !UsesOffset(query) ? s_withVersion.GetOrAdd(list, static list => VersionSql + list) : VersionSql + list;
    }

    private const string VersionSql = "SELECT calls_version FROM accounts WHERE id = @account; ";

    /// <summary>Reads <see cref="ListWithVersionSql"/>'s two results from a reader that has them at hand (SQLite's).</summary>
    public static VersionedCalls ReadWithVersion(DbDataReader reader, int limit)
    {
        var version = reader.Read() ? reader.GetInt64(0) : 0;
        reader.NextResult();
        var calls = new List<CallRecord>(limit);
        while (reader.Read())
        {
            calls.Add(ReadCall(reader));
        }
        return new VersionedCalls(version, calls);
    }

    /// <summary>
    /// <see cref="ListSql"/> with each call's details as columns 9 to 11: the page is chosen as the list chooses it,
    /// then joined to its details and put back in list order.
    /// </summary>
    public static string ListDetailsSql(CallQuery query, SqlDialect dialect) =>
        "SELECT p.call_num, p.status, p.from_addr, p.to_addr, p.agent_id, p.direction, p.started_at, p.ended_at, p.duration_sec, " +
        "d.audio_record_url, d.transcript, d.variables FROM (" + ListSql(query, dialect) + ") p " +
        "LEFT JOIN call_details d ON d.account_id = @account AND d.call_num = p.call_num " +
        (query.Ascending ? "ORDER BY p.started_at, p.call_num" : "ORDER BY p.started_at DESC, p.call_num DESC");

    public static void BindList(DbCommand command, long accountId, CallQuery query)
    {
        Add(command, "@account", accountId);
        AddFilterParameters(command, query.Filter);
        if (query.After is { } after)
        {
            Add(command, "@after_started", after.StartedAt);
            Add(command, "@after_num", after.CallNum);
        }
        if (UsesOffset(query))
        {
            Add(command, "@offset", query.Offset);
        }
    }

    public static string CountSql(CallFilter filter, SqlDialect dialect)
    {
        var sql = new StringBuilder("SELECT count(*) FROM calls").Append(IndexedBy(IndexHint(filter, dialect))).Append(" WHERE account_id = @account");
        AppendFilter(sql, filter);
        return sql.ToString();
    }

    public static void BindCount(DbCommand command, long accountId, CallFilter filter)
    {
        Add(command, "@account", accountId);
        AddFilterParameters(command, filter);
    }

    private static bool UsesOffset(CallQuery query) => query.After is null && query.Offset > 0;

    /// <summary>Reads a row selected with the list's columns, starting at <paramref name="first"/>.</summary>
    public static CallRecord ReadCall(DbDataReader reader, int first = 0) => new(
        CallNum: reader.GetInt64(first),
        Status: (CallStatus)reader.GetInt32(first + 1),
        From: reader.GetString(first + 2),
        To: reader.GetString(first + 3),
        AgentId: reader.GetInt64(first + 4),
        Direction: (CallDirection)reader.GetInt32(first + 5),
        StartedAt: reader.GetInt64(first + 6),
        EndedAt: reader.IsDBNull(first + 7) ? null : reader.GetInt64(first + 7),
        DurationSec: reader.IsDBNull(first + 8) ? null : reader.GetInt32(first + 8));

    /// <summary>Reads a call with its details in columns 9 to 11, as <see cref="SelectOne"/> and <see cref="ListDetailsSql"/> select it.</summary>
    public static CallDetailsRecord ReadDetails(DbDataReader reader) => new(
        ReadCall(reader),
        AudioRecordUrl: reader.IsDBNull(9) ? null : reader.GetString(9),
        Transcript: reader.IsDBNull(10) ? null : reader.GetString(10),
        VariablesJson: reader.IsDBNull(11) ? null : reader.GetString(11));

    /// <summary>Whether a row read with <see cref="SelectOne"/> was answered.</summary>
    public static bool ReadAnswered(DbDataReader reader) => Convert.ToInt64(reader.GetValue(12), System.Globalization.CultureInfo.InvariantCulture) != 0;

    /// <summary>What a final report brings (recording, transcript, variables); parameters @account, @num, @url, @transcript, @variables.</summary>
    public const string UpsertOutcome =
        "INSERT INTO call_details (account_id, call_num, audio_record_url, transcript, variables) " +
        "VALUES (@account, @num, @url, @transcript, @variables) ON CONFLICT (account_id, call_num) DO UPDATE SET " +
        "audio_record_url = excluded.audio_record_url, transcript = excluded.transcript, variables = excluded.variables";

    /// <summary>A call's state after a report; parameters @status, @ended_at, @duration, @answered, @account, @num.</summary>
    public const string UpdateState =
        "UPDATE calls SET status = @status, ended_at = @ended_at, duration_sec = @duration, answered = @answered " +
        "WHERE account_id = @account AND call_num = @num";

    /// <summary>A call with its details (columns 9 to 11) and whether it was answered (column 12).</summary>
    public const string SelectOne =
        "SELECT c.call_num, c.status, c.from_addr, c.to_addr, c.agent_id, c.direction, c.started_at, c.ended_at, " +
        "c.duration_sec, d.audio_record_url, d.transcript, d.variables, c.answered " +
        "FROM calls c LEFT JOIN call_details d ON d.account_id = c.account_id AND d.call_num = c.call_num " +
        "WHERE c.account_id = @account AND c.call_num = @num";

    // The limit is written into the text, not bound: SQLite plans with the LIMIT value, so binding it makes every
    // execution compile the statement again. PostgreSQL prepares each page size once, and plans it with its limit.
    private static string BuildList(CallFilter filter, bool ascending, bool keyset, bool offset, int limit, string? index)
    {
        var sql = new StringBuilder(256).Append("SELECT ").Append(Columns).Append(" FROM calls").Append(IndexedBy(index))
            .Append(" WHERE account_id = @account");
        AppendFilter(sql, filter);
        if (keyset)
        {
            sql.Append(ascending
                ? " AND (started_at, call_num) > (@after_started, @after_num)"
                : " AND (started_at, call_num) < (@after_started, @after_num)");
        }
        sql.Append(ascending ? " ORDER BY started_at, call_num" : " ORDER BY started_at DESC, call_num DESC");
        sql.Append(" LIMIT ").Append(limit);
        if (offset)
        {
            sql.Append(" OFFSET @offset");
        }
        return sql.ToString();
    }

    private static string IndexedBy(string? index) => index is null ? "" : " INDEXED BY " + index;

    internal static void AppendFilter(StringBuilder sql, CallFilter filter)
    {
        if (filter.StatusMask != 0)
        {
            AppendIn(sql, "status", "@status", StatusesOf(filter.StatusMask).Count());
        }
        if (filter.AgentIds.Count > 0)
        {
            AppendIn(sql, "agent_id", "@agent", filter.AgentIds.Count);
        }
        if (filter.Direction is not null) sql.Append(" AND direction = @direction");
        if (filter.To is not null) sql.Append(" AND to_addr = @to");
        if (filter.From is not null) sql.Append(" AND from_addr = @from");
        if (filter.StartedAtOrAfter is not null) sql.Append(" AND started_at >= @started_after");
        if (filter.StartedBefore is not null) sql.Append(" AND started_at < @started_before");
        if (filter.MinDuration is not null) sql.Append(" AND duration_sec >= @min_duration");
        if (filter.MaxDuration is not null) sql.Append(" AND duration_sec <= @max_duration");
    }

    private static void AppendIn(StringBuilder sql, string column, string parameter, int count)
    {
        if (count == 1)
        {
            sql.Append(" AND ").Append(column).Append(" = ").Append(parameter).Append('0');
            return;
        }
        sql.Append(" AND ").Append(column).Append(" IN (");
        for (var i = 0; i < count; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(parameter).Append(i);
        }
        sql.Append(')');
    }

    internal static void AddFilterParameters(DbCommand command, CallFilter filter)
    {
        var i = 0;
        foreach (var status in StatusesOf(filter.StatusMask))
        {
            Add(command, "@status" + i++, (int)status);
        }
        for (i = 0; i < filter.AgentIds.Count; i++)
        {
            Add(command, "@agent" + i, filter.AgentIds[i]);
        }
        if (filter.Direction is { } direction) Add(command, "@direction", (int)direction);
        if (filter.To is { } to) Add(command, "@to", to);
        if (filter.From is { } from) Add(command, "@from", from);
        if (filter.StartedAtOrAfter is { } after) Add(command, "@started_after", after);
        if (filter.StartedBefore is { } before) Add(command, "@started_before", before);
        if (filter.MinDuration is { } min) Add(command, "@min_duration", min);
        if (filter.MaxDuration is { } max) Add(command, "@max_duration", max);
    }

    private static IEnumerable<CallStatus> StatusesOf(int mask)
    {
        for (var i = 0; i < CallStatuses.Count; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                yield return (CallStatus)i;
            }
        }
    }

    internal static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
