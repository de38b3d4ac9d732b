using System.Data.Common;
using System.Globalization;
using Salpre.Storage.Calls.Stats;
using Salpre.Storage.Webhooks;
using static Salpre.Storage.DbCommands;

namespace Salpre.Storage.Calls.Removal;

/// <summary>
/// <see cref="ICallRemoval"/> over either database: every statement is shared; a store adds how it writes, how it
/// clears deleted bytes from its files, and how one node at a time gets to apply retention.
/// </summary>
public abstract class CallRemovalStore(IEventSink sink) : ICallRemoval
{
    // A statement names at most this many calls.
    private const int CallsPerStatement = 500;

    private const string Columns = "call_num, status, from_addr, to_addr, agent_id, direction, started_at, ended_at, duration_sec, answered";

    private const string BumpVersion = "UPDATE accounts SET calls_version = calls_version + 1 WHERE id = @account";

    // Everything else that holds a call by its number, with the index that finds it there; the call itself goes last.
    private static readonly (string Table, string? Index)[] s_callTables =
        [("events", "ix_events_call"), ("call_events", null), ("call_details", null), ("idempotency_keys", "ix_idempotency_call"), ("calls", "ux_calls_number")];

    private protected abstract SqlDialect Dialect { get; }

    /// <summary>Runs <paramref name="work"/> in a write transaction and commits it unless the work throws.</summary>
    private protected abstract Task<T> WriteAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    private protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>After an erasure has committed: makes sure the deleted bytes are in none of the database's files.</summary>
    private protected virtual Task ScrubAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>This node's turn at retention, held until disposed; null while another node has it.</summary>
    private protected abstract Task<IAsyncDisposable?> TakeRetentionTurnAsync(CancellationToken cancellationToken);

    // SQLite plans without statistics and may read an account's whole range by the leading account_id of another
    // index (100 ms a batch at 1M calls): it is told the index that finds calls by number. PostgreSQL's planner chooses well.
    private string IndexedBy(string? index) => index is not null && Dialect == SqlDialect.Sqlite ? " INDEXED BY " + index : "";

    // PostgreSQL locks the calls it is about to delete: a status report of one of them waits, then finds no call.
    private string LockRows => Dialect == SqlDialect.Postgres ? " FOR UPDATE" : "";

    public async Task<bool> DeleteAsync(long accountId, long callNum, CancellationToken cancellationToken) =>
        await TellAsync(WriteAsync(async (connection, ct) =>
        {
            var calls = await ReadCallsAsync(connection, $"SELECT {Columns} FROM calls WHERE account_id = @account AND call_num = @num{LockRows}", ct,
                ("@account", accountId), ("@num", callNum));
            return await RemoveAsync(connection, accountId, calls, tell: true, ct);
        }, cancellationToken)) > 0;

    public async Task<long> EraseAsync(long accountId, string phone, CancellationToken cancellationToken)
    {
        var erased = await TellAsync(WriteAsync(async (connection, ct) =>
        {
            var calls = await ReadCallsAsync(connection,
                $"SELECT {Columns} FROM calls WHERE account_id = @account AND (to_addr = @phone OR from_addr = @phone){LockRows}", ct,
                ("@account", accountId), ("@phone", phone));
            return await RemoveAsync(connection, accountId, calls, tell: true, ct);
        }, cancellationToken));
        // Even with nothing to erase now: an earlier delete may have left the number's bytes behind.
        await ScrubAsync(cancellationToken);
        return erased;
    }

    public async Task<IReadOnlyList<RetentionCount>?> ApplyRetentionAsync(RetentionRule rule, long cutoff, int batchSize, CancellationToken cancellationToken)
    {
        await using var turn = await TakeRetentionTurnAsync(cancellationToken);
        if (turn is null)
        {
            return null;
        }
        var counts = new List<RetentionCount>();
        foreach (var accountId in await ReadAccountsAsync(cancellationToken))
        {
            var count = await ApplyAsync(rule, accountId, cutoff, batchSize, cancellationToken);
            if (count > 0)
            {
                counts.Add(new RetentionCount(accountId, count));
            }
        }
        return counts;
    }

    /// <summary>
    /// Walks one account's calls that started before the cutoff in list order, from where the rule's last run left a
    /// mark: every call before the mark has been dealt with. A call that started before the cutoff but ended after it
    /// is left for a later run, and the mark stays before it.
    /// </summary>
    private async Task<long> ApplyAsync(RetentionRule rule, long accountId, long cutoff, int batchSize, CancellationToken cancellationToken)
    {
        var ruleName = rule == RetentionRule.Details ? "details" : "calls";
        RetentionWalk walk;
        await using (var connection = await OpenAsync(cancellationToken))
        {
            walk = new RetentionWalk(await ReadMarkAsync(connection, accountId, ruleName, cancellationToken));
        }
        return rule == RetentionRule.Calls
            ? await DeleteOldCallsAsync(walk, accountId, cutoff, batchSize, cancellationToken)
            : await ClearOldDetailsAsync(walk, accountId, cutoff, batchSize, cancellationToken);
    }

    /// <summary>
    /// Deletes calls a batch per transaction, read in it (and locked, on PostgreSQL): the statistics take away each
    /// call's tally as it stands when it goes.
    /// </summary>
    private async Task<long> DeleteOldCallsAsync(RetentionWalk walk, long accountId, long cutoff, int batchSize, CancellationToken cancellationToken)
    {
        long total = 0;
        bool more;
        do
        {
            (more, var deleted) = await WriteAsync(async (connection, ct) =>
            {
                var calls = await ReadCallsAsync(connection, NextBatchSql(Columns, batchSize) + LockRows, ct, BatchParameters(walk, accountId, cutoff));
                var deleted = await RemoveAsync(connection, accountId, walk.Take(calls, cutoff), tell: false, ct);
                await WriteMarkAsync(connection, accountId, "calls", walk.Done, ct);
                return (calls.Count == batchSize, deleted);
            }, cancellationToken);
            total += deleted;
        }
        while (more);
        return total;
    }

    /// <summary>
    /// Clears details of calls read outside any write (most old calls have none, or none left), in transactions of
    /// at most <paramref name="batchSize"/> calls; the mark moves with the last of a read's clearing, or at the end.
    /// Clearing depends on nothing a status report changes: an ended call takes no more reports.
    /// </summary>
    private async Task<long> ClearOldDetailsAsync(RetentionWalk walk, long accountId, long cutoff, int batchSize, CancellationToken cancellationToken)
    {
        const string WithDetails = "call_num, status, from_addr, to_addr, agent_id, direction, started_at, ended_at, duration_sec, " +
            "CASE WHEN EXISTS (SELECT 1 FROM call_details d WHERE d.account_id = calls.account_id AND d.call_num = calls.call_num) THEN 1 ELSE 0 END";
        var readSize = Math.Max(batchSize, 1000);
        var marked = walk.Done;
        long total = 0;
        List<(CallRecord Call, bool Flag)> calls;
        do
        {
            await using (var connection = await OpenAsync(cancellationToken))
            {
                calls = await ReadCallsAsync(connection, NextBatchSql(WithDetails, readSize), cancellationToken, BatchParameters(walk, accountId, cutoff));
            }
            var chunks = walk.Take(calls, cutoff).Where(row => row.Flag).Chunk(batchSize).ToList();
            for (var i = 0; i < chunks.Count; i++)
            {
                var last = i == chunks.Count - 1;
                total += await WriteAsync(async (connection, ct) =>
                {
                    var cleared = await ClearDetailsAsync(connection, accountId, chunks[i], ct);
                    if (last)
                    {
                        await WriteMarkAsync(connection, accountId, "details", walk.Done, ct);
                    }
                    return cleared;
                }, cancellationToken);
            }
            marked = chunks.Count > 0 ? walk.Done : marked;
        }
        while (calls.Count == readSize);
        if (marked != walk.Done)
        {
            await WriteAsync((connection, ct) => WriteMarkAsync(connection, accountId, "details", walk.Done, ct), cancellationToken);
        }
        return total;
    }

    private static string NextBatchSql(string columns, int limit) =>
        $"SELECT {columns} FROM calls WHERE account_id = @account AND (started_at, call_num) > (@after_started, @after_num) " +
        $"AND started_at < @cutoff ORDER BY started_at, call_num LIMIT {limit}";

    private static (string, object?)[] BatchParameters(RetentionWalk walk, long accountId, long cutoff) =>
        [("@account", accountId), ("@after_started", walk.Read.StartedAt), ("@after_num", walk.Read.CallNum), ("@cutoff", cutoff)];

    private static Task<int> WriteMarkAsync(DbConnection connection, long accountId, string rule, CallPosition done, CancellationToken ct) =>
        ExecuteAsync(connection, ct,
            "INSERT INTO retention_marks (account_id, rule, started_at, call_num) VALUES (@account, @rule, @started_at, @num) " +
            "ON CONFLICT (account_id, rule) DO UPDATE SET started_at = excluded.started_at, call_num = excluded.call_num",
            ("@account", accountId), ("@rule", rule), ("@started_at", done.StartedAt), ("@num", done.CallNum));

    /// <summary>How far a retention run has read (<see cref="Read"/>), and up to where every call is dealt with (<see cref="Done"/>).</summary>
    private sealed class RetentionWalk(CallPosition mark)
    {
        private bool _leftOne;

        public CallPosition Read { get; private set; } = mark;

        public CallPosition Done { get; private set; } = mark;

        /// <summary>The calls of a batch that are due: ended (or, never ended, started) before the cutoff.</summary>
        public List<(CallRecord Call, bool Flag)> Take(IReadOnlyList<(CallRecord Call, bool Flag)> calls, long cutoff)
        {
            var due = new List<(CallRecord, bool)>(calls.Count);
            foreach (var row in calls)
            {
                var position = new CallPosition(row.Call.StartedAt, row.Call.CallNum);
                if ((row.Call.EndedAt ?? row.Call.StartedAt) < cutoff)
                {
                    due.Add(row);
                    if (!_leftOne)
                    {
                        Done = position;
                    }
                }
                else
                {
                    _leftOne = true;
                }
                Read = position;
            }
            return due;
        }
    }

    private async Task<int> RemoveAsync(DbConnection connection, long accountId, IReadOnlyList<(CallRecord Call, bool Answered)> calls, bool tell, CancellationToken ct)
    {
        if (calls.Count == 0)
        {
            return 0;
        }
        var writes = new SqlBatch();
        var rollups = new CallRollups.Changes();
        foreach (var chunk in calls.Chunk(CallsPerStatement))
        {
            var numbers = NumberList(chunk);
            var events = $"SELECT id FROM events{IndexedBy("ix_events_call")} WHERE account_id = @account AND call_num IN ({numbers})";
            if (Dialect == SqlDialect.Postgres)
            {
                // A delivery being recorded now adds its attempt before this lock is granted, so the next statement sees it.
                writes.Add($"SELECT 1 FROM webhook_deliveries WHERE event_id IN ({events}) FOR UPDATE", ("@account", accountId));
            }
            writes.Add($"DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE event_id IN ({events}))", ("@account", accountId));
            writes.Add($"DELETE FROM webhook_deliveries WHERE event_id IN ({events})", ("@account", accountId));
            foreach (var (table, index) in s_callTables)
            {
                writes.Add($"DELETE FROM {table}{IndexedBy(index)} WHERE account_id = @account AND call_num IN ({numbers})", ("@account", accountId));
            }
            foreach (var (call, answered) in chunk)
            {
                rollups.Add(CallTally.Of(call, answered), -1);
                if (tell)
                {
                    EventOutbox.AppendDeleted(writes, Dialect, sink, accountId, call.CallNum);
                }
            }
        }
        rollups.AddTo(writes, accountId);
        writes.Add(BumpVersion, ("@account", accountId));
        await writes.ExecuteAsync(connection, ct);
        return calls.Count;
    }

    private static async Task<int> ClearDetailsAsync(DbConnection connection, long accountId, IReadOnlyList<(CallRecord Call, bool Answered)> calls, CancellationToken ct)
    {
        if (calls.Count == 0)
        {
            return 0;
        }
        var cleared = 0;
        foreach (var chunk in calls.Chunk(CallsPerStatement))
        {
            cleared += await ExecuteAsync(connection, ct, $"DELETE FROM call_details WHERE account_id = @account AND call_num IN ({NumberList(chunk)})", ("@account", accountId));
        }
        if (cleared > 0)
        {
            await ExecuteAsync(connection, ct, BumpVersion, ("@account", accountId));
        }
        return cleared;
    }

    // The numbers were read from the table and are integers: written into the text, a list of any length is one statement.
    private static string NumberList(IEnumerable<(CallRecord Call, bool Answered)> calls) =>
        string.Join(", ", calls.Select(row => row.Call.CallNum.ToString(CultureInfo.InvariantCulture)));

    private async Task<T> TellAsync<T>(Task<T> write) where T : System.Numerics.INumber<T> =>
        await EventOutbox.TellAsync(sink, write, removed => removed > T.Zero);

    private async Task<List<long>> ReadAccountsAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, "SELECT id FROM accounts ORDER BY id");
        return await ReadAllAsync(command, static reader => reader.GetInt64(0), ct);
    }

    private static async Task<CallPosition> ReadMarkAsync(DbConnection connection, long accountId, string rule, CancellationToken ct)
    {
        await using var command = Command(connection, "SELECT started_at, call_num FROM retention_marks WHERE account_id = @account AND rule = @rule",
            ("@account", accountId), ("@rule", rule));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new CallPosition(reader.GetInt64(0), reader.GetInt64(1)) : new CallPosition(long.MinValue, 0);
    }

    /// <summary>Calls read with the list's columns and a flag in column 9: whether each was answered, or what the query says.</summary>
    private static async Task<List<(CallRecord Call, bool Flag)>> ReadCallsAsync(
        DbConnection connection, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await ReadAllAsync(command, static reader => (CallSql.ReadCall(reader), reader.GetInt32(9) != 0), ct);
    }
}
