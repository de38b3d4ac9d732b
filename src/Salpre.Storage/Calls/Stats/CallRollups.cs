using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Salpre.Storage.Calls.Stats;

/// <summary>Where a call counts in the statistics' rollups, and what it adds there.</summary>
internal readonly record struct CallTally(long StartedAt, long AgentId, CallStatus Status, bool Answered, long TalkSec)
{
    public static CallTally Of(CallRecord call, bool answered) => new(call.StartedAt, call.AgentId, call.Status, answered, call.DurationSec ?? 0);
}

/// <summary>
/// Keeps the rollup tables equal to what their calls add up to: every call write adds the call's tally as it now
/// stands and takes away the one it replaces, in the write's own transaction. The same statements serve both stores.
/// </summary>
internal static class CallRollups
{
    // Year 1 to 1970 in seconds, a whole number of days: shifted by it, integer division is a floor for any year.
    private const long EpochShift = 62_135_596_800;
    private const int RowsPerStatement = 200;

    public static long HourOf(long unixSeconds) => (unixSeconds + EpochShift) / 3600 - EpochShift / 3600;

    public static long DayOf(long unixSeconds) => (unixSeconds + EpochShift) / 86_400 - EpochShift / 86_400;

    /// <summary>The block of 32 UTC days a day falls in (counted from 1970-01-01).</summary>
    public static long BlockOf(long day) => (day + BlockShift * BlockDays) / BlockDays - BlockShift;

    public const int BlockDays = 32;

    // 719,168 days (a little over year 1 to 1970) in blocks: shifted by it, the division is a floor for any year.
    private const long BlockShift = 22_474;

    /// <summary>SQL for the bucket of an instant expression, as <see cref="HourOf"/> and <see cref="DayOf"/> compute it.</summary>
    public static string FloorSql(string seconds, int unit) => $"(({seconds}) + {EpochShift}) / {unit} - {EpochShift / unit}";

    /// <summary>Adds to <paramref name="batch"/> the writes of a call whose tally moved from <paramref name="before"/> (null for a new call) to <paramref name="after"/>.</summary>
    public static void Move(SqlBatch batch, long accountId, CallTally? before, CallTally after)
    {
        var changes = new Changes();
        changes.Add(after, +1);
        if (before is { } removed)
        {
            changes.Add(removed, -1);
        }
        changes.AddTo(batch, accountId);
    }

    /// <summary>Sums of many tallies by rollup row, written with a few multi-row upserts.</summary>
    public sealed class Changes
    {
        private readonly Dictionary<(long Hour, CallStatus Status), Sums> _hours = [];
        private readonly Dictionary<(long Day, CallStatus Status), Sums> _days = [];
        private readonly Dictionary<(long Day, long AgentId, CallStatus Status), Sums> _agentDays = [];
        private readonly Dictionary<(long Block, long AgentId, CallStatus Status), Sums> _agentBlocks = [];

        public void Add(CallTally tally, int sign)
        {
            var sums = new Sums(sign, tally.Answered ? sign : 0, tally.TalkSec * sign);
            var day = DayOf(tally.StartedAt);
            Accumulate(_hours, (HourOf(tally.StartedAt), tally.Status), sums);
            Accumulate(_days, (day, tally.Status), sums);
            Accumulate(_agentDays, (day, tally.AgentId, tally.Status), sums);
            Accumulate(_agentBlocks, (BlockOf(day), tally.AgentId, tally.Status), sums);
        }

        public Task WriteAsync(DbConnection connection, long accountId, CancellationToken ct)
        {
            var batch = new SqlBatch();
            AddTo(batch, accountId);
            return batch.ExecuteAsync(connection, ct);
        }

        /// <summary>Adds the upserts of these sums to <paramref name="batch"/>.</summary>
        public void AddTo(SqlBatch batch, long accountId)
        {
            Upsert(batch, "call_stats_hours", ["hour", "status"],
                _hours.Where(row => !row.Value.IsZero).Select(row => (new object[] { row.Key.Hour, (int)row.Key.Status }, row.Value)), accountId);
            Upsert(batch, "call_stats_days", ["day", "status"],
                _days.Where(row => !row.Value.IsZero).Select(row => (new object[] { row.Key.Day, (int)row.Key.Status }, row.Value)), accountId);
            Upsert(batch, "call_stats_agent_days", ["day", "agent_id", "status"],
                _agentDays.Where(row => !row.Value.IsZero).Select(row => (new object[] { row.Key.Day, row.Key.AgentId, (int)row.Key.Status }, row.Value)), accountId);
            Upsert(batch, "call_stats_agent_blocks", ["block", "agent_id", "status"],
                _agentBlocks.Where(row => !row.Value.IsZero).Select(row => (new object[] { row.Key.Block, row.Key.AgentId, (int)row.Key.Status }, row.Value)), accountId);
        }

        private static void Accumulate<TKey>(Dictionary<TKey, Sums> rows, TKey key, Sums sums) where TKey : notnull =>
            rows[key] = rows.TryGetValue(key, out var sum) ? sum + sums : sums;
    }

    private readonly record struct Sums(long Calls, long Answered, long TalkSec)
    {
        public bool IsZero => Calls == 0 && Answered == 0 && TalkSec == 0;

        public static Sums operator +(Sums a, Sums b) => new(a.Calls + b.Calls, a.Answered + b.Answered, a.TalkSec + b.TalkSec);
    }

    private static void Upsert(SqlBatch batch, string table, string[] keys, IEnumerable<(object[] Key, Sums Sums)> rows, long accountId)
    {
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            var sql = new StringBuilder($"INSERT INTO {table} (account_id, {string.Join(", ", keys)}, calls, answered, talk_sec) VALUES ");
            for (var row = 0; row < chunk.Length; row++)
            {
                sql.Append(row == 0 ? "(@account" : ", (@account");
                // The values are numbers this code computed, written as literals: SQLite finds a named parameter by a
                // linear scan of the statement's names, so 1,200 of them cost most of a large import's time.
                foreach (var value in chunk[row].Key.Append(chunk[row].Sums.Calls).Append(chunk[row].Sums.Answered).Append(chunk[row].Sums.TalkSec))
                {
                    sql.Append(", ").Append(CultureInfo.InvariantCulture, $"{Convert.ToInt64(value, CultureInfo.InvariantCulture)}");
                }
                sql.Append(')');
            }
            sql.Append($" ON CONFLICT (account_id, {string.Join(", ", keys)}) DO UPDATE SET calls = {table}.calls + excluded.calls, " +
                       $"answered = {table}.answered + excluded.answered, talk_sec = {table}.talk_sec + excluded.talk_sec");
            batch.Add(sql.ToString(), ("@account", accountId));
        }
    }
}
