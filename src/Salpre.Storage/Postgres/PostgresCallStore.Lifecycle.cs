using Npgsql;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Stats;
using Salpre.Storage.Webhooks;
using static Salpre.Storage.Postgres.PostgresSql;

namespace Salpre.Storage.Postgres;

/// <summary>Calls coming in: make-call's creation, the boxes' status reports, and the call's log.</summary>
public sealed partial class PostgresCallStore
{
    public async Task<CreateOutcome> CreateAsync(long accountId, NewCall call, IdempotencyClaim? claim, Func<CallRecord, byte[]> render, CancellationToken cancellationToken) =>
        (await EventOutbox.TellAsync(sink, WriteCreateAsync(accountId, call, claim, render, cancellationToken), written => written.Deliveries?.RecordsAffected > 0)).Outcome;

    private Task<(CreateOutcome Outcome, SqlBatch.Statement? Deliveries)> WriteCreateAsync(
        long accountId, NewCall call, IdempotencyClaim? claim, Func<CallRecord, byte[]> render, CancellationToken cancellationToken) =>
        database.WriteAsync<(CreateOutcome, SqlBatch.Statement?)>(async (connection, writes, ct) =>
        {
            var (claimed, callNum) = await ClaimAndNumberAsync(connection, accountId, claim, call.StartedAt, ct);
            if (!claimed && await JudgeLiveClaimAsync(connection, accountId, claim!, call.StartedAt, ct) is { } earlier)
            {
                return (earlier, null);
            }

            var created = new CallRecord(callNum, CallStatus.Initiated, call.From, call.To, call.AgentId, CallDirection.Outbound, call.StartedAt, null, null);
            writes.Add(
                "INSERT INTO calls (account_id, started_at, call_num, status, from_addr, to_addr, agent_id, direction) " +
                "VALUES (@account, @started_at, @num, 0, @from, @to, @agent, 0)",
                ("account", accountId), ("started_at", call.StartedAt), ("num", callNum), ("from", call.From), ("to", call.To), ("agent", call.AgentId));
            AddEvent(writes, accountId, callNum, 1, new CallEvent(CallStatus.Initiated, call.StartedAt, null));
            var deliveries = EventOutbox.AppendCall(writes, SqlDialect.Postgres, sink, accountId, created, null, 1);
            var response = render(created);
            if (claim is not null)
            {
                writes.Add("UPDATE idempotency_keys SET call_num = @num, response = @response WHERE account_id = @account AND idempotency_key = @key",
                    ("num", callNum), ("response", response), ("account", accountId), ("key", claim.Key));
            }
            AddAccountWrites(writes, accountId, null, CallTally.Of(created, answered: false));
            return (new CreateOutcome.Created(created, response), deliveries);
        }, cancellationToken);

    public async Task<CreateOutcome?> FindIdempotentAsync(long accountId, IdempotencyClaim claim, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return Judge(claim, await ReadClaimAsync(connection, accountId, claim.Key, cancellationToken));
    }

    public async Task<EventOutcome> RecordEventAsync(long accountId, long callNum, CallEvent report, CallOutcome? outcome, CancellationToken cancellationToken) =>
        (await EventOutbox.TellAsync(sink, WriteEventAsync(accountId, callNum, report, outcome, cancellationToken), written => written.Deliveries?.RecordsAffected > 0)).Outcome;

    private Task<(EventOutcome Outcome, SqlBatch.Statement? Deliveries)> WriteEventAsync(
        long accountId, long callNum, CallEvent report, CallOutcome? outcome, CancellationToken cancellationToken) =>
        database.WriteAsync<(EventOutcome, SqlBatch.Statement?)>(async (connection, writes, ct) =>
        {
            // The row lock makes concurrent reports of one call take turns, each judged against the one before; the
            // call and its reports are read in one round trip, the reports once the lock is held.
            Tuple<CallRecord, bool>? read;
            List<CallEventRecord> events;
            await using (var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    BatchCommand(CallSql.SelectOne + " FOR UPDATE OF c", ("account", accountId), ("num", callNum)),
                    BatchCommand(SelectEvents, ("account", accountId), ("num", callNum)),
                },
            })
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                read = await reader.ReadAsync(ct) ? Tuple.Create(CallSql.ReadCall(reader), CallSql.ReadAnswered(reader)) : null;
                await reader.NextResultAsync(ct);
                events = [];
                while (await reader.ReadAsync(ct))
                {
                    events.Add(ReadEvent(reader));
                }
            }
            if (read is not var (call, wasAnswered))
            {
                return (new EventOutcome(EventResult.NotFound, null), null);
            }
            var judged = CallLifecycle.Judge(call, events, report);
            if (judged.Result != EventResult.Applied)
            {
                return (judged, null);
            }

            var moved = judged.Call!;
            AddEvent(writes, accountId, callNum, events.Count + 1, report);
            // A final report may bring the recording, the transcript and the variables.
            if (moved.Status.IsFinal() && outcome is not null)
            {
                writes.Add(CallSql.UpsertOutcome,
                    ("account", accountId), ("num", callNum), ("url", outcome.AudioRecordUrl), ("transcript", outcome.Transcript), ("variables", outcome.VariablesJson));
            }
            var answered = wasAnswered || moved.Status == CallStatus.InProgress;
            writes.Add(CallSql.UpdateState,
                ("status", (int)moved.Status), ("ended_at", moved.EndedAt), ("duration", moved.DurationSec), ("answered", answered ? 1 : 0),
                ("account", accountId), ("num", callNum));
            var deliveries = EventOutbox.AppendCall(writes, SqlDialect.Postgres, sink, accountId, moved, call.Status, events.Count + 1);
            AddAccountWrites(writes, accountId, CallTally.Of(call, wasAnswered), CallTally.Of(moved, answered));
            return (judged, deliveries);
        }, cancellationToken);

    public async Task<IReadOnlyList<CallEventRecord>?> ListEventsAsync(long accountId, long callNum, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        CallRecord? call;
        await using (var select = Command(connection, CallSql.SelectOne, ("account", accountId), ("num", callNum)))
        {
            call = await FirstAsync(select, static reader => CallSql.ReadCall(reader), cancellationToken);
        }
        if (call is null)
        {
            return null;
        }
        var events = await ReadEventsAsync(connection, accountId, callNum, cancellationToken);
        if (events.Count > 0)
        {
            return events;
        }
        List<CallEventRecord> imported = [new(CallStatus.Initiated, call.StartedAt, "imported")];
        if (call.Status != CallStatus.Initiated)
        {
            imported.Add(new CallEventRecord(call.Status, call.EndedAt ?? call.StartedAt, "imported"));
        }
        return imported;
    }

    public async Task<long> ForgetIdempotencyKeysAsync(long before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ExecuteAsync(connection, cancellationToken, "DELETE FROM idempotency_keys WHERE created_at < @before", ("before", before));
    }

    // Claims the key for this request, taking over an expired claim; a rival claim still in flight makes the insert
    // wait for its transaction, so exactly one call is made. One row when claimed.
    private const string Claim =
        "INSERT INTO idempotency_keys (account_id, idempotency_key, request_hash, call_num, response, created_at) " +
        "VALUES (@account, @key, @hash, 0, ''::bytea, @now) ON CONFLICT (account_id, idempotency_key) DO UPDATE SET " +
        "request_hash = excluded.request_hash, call_num = 0, response = excluded.response, created_at = excluded.created_at " +
        "WHERE idempotency_keys.created_at < @expired";

    private static (string Name, object? Value)[] ClaimParameters(long accountId, IdempotencyClaim claim, long now) =>
        [("account", accountId), ("key", claim.Key), ("hash", claim.RequestHash), ("now", now), ("expired", claim.ExpiredBefore)];

    /// <summary>
    /// The new call's number and, with a key, the key's claim, in one round trip: whether it was claimed (always
    /// without a key). A claim lost to a live one wastes the number, as a make-call rolled back does.
    /// </summary>
    private static async Task<(bool Claimed, long CallNum)> ClaimAndNumberAsync(NpgsqlConnection connection, long accountId, IdempotencyClaim? claim, long now, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        if (claim is not null)
        {
            batch.BatchCommands.Add(BatchCommand(Claim, ClaimParameters(accountId, claim, now)));
        }
        batch.BatchCommands.Add(PostgresCallNumbers.Next());
        var callNum = (long)(await batch.ExecuteScalarAsync(ct))!;
        return (claim is null || batch.BatchCommands[0].RecordsAffected == 1, callNum);
    }

    /// <summary>
    /// After a claim lost to a live one: the answer that claim means; or, when it has been forgotten meanwhile, null
    /// once this request holds the key.
    /// </summary>
    private static async Task<CreateOutcome?> JudgeLiveClaimAsync(NpgsqlConnection connection, long accountId, IdempotencyClaim claim, long now, CancellationToken ct)
    {
        while (true)
        {
            if (Judge(claim, await ReadClaimAsync(connection, accountId, claim.Key, ct)) is { } earlier)
            {
                return earlier;
            }
            if (await ExecuteAsync(connection, ct, Claim, ClaimParameters(accountId, claim, now)) == 1)
            {
                return null;
            }
        }
    }

    private sealed record StoredClaim(byte[] RequestHash, byte[] Response, long CreatedAt);

    private static async Task<StoredClaim?> ReadClaimAsync(NpgsqlConnection connection, long accountId, string key, CancellationToken ct)
    {
        await using var command = Command(connection,
            "SELECT request_hash, response, created_at FROM idempotency_keys WHERE account_id = @account AND idempotency_key = @key",
            ("account", accountId), ("key", key));
        return await FirstAsync(command, static reader => new StoredClaim((byte[])reader[0], (byte[])reader[1], reader.GetInt64(2)), ct);
    }

    /// <summary>What a stored key means for a request: its answer again, a conflict, or nothing (new or expired key).</summary>
    private static CreateOutcome? Judge(IdempotencyClaim claim, StoredClaim? stored) =>
        stored is null || stored.CreatedAt < claim.ExpiredBefore ? null
        : stored.RequestHash.AsSpan().SequenceEqual(claim.RequestHash) ? new CreateOutcome.Replayed(stored.Response)
        : new CreateOutcome.KeyReused();

    private const string SelectEvents = "SELECT status, at, detail FROM call_events WHERE account_id = @account AND call_num = @num ORDER BY seq";

    private static CallEventRecord ReadEvent(NpgsqlDataReader reader) =>
        new((CallStatus)reader.GetInt32(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2));

    private static async Task<List<CallEventRecord>> ReadEventsAsync(NpgsqlConnection connection, long accountId, long callNum, CancellationToken ct)
    {
        await using var command = Command(connection, SelectEvents, ("account", accountId), ("num", callNum));
        return await ReadAllAsync(command, ReadEvent, ct);
    }

    /// <summary>
    /// The rows every write of the account updates (its rollups, its calls version), last before the commit: each
    /// concurrent write of the account waits for them until this transaction's commit is flushed, so they are
    /// locked for as short a time as the batch allows.
    /// </summary>
    private static void AddAccountWrites(SqlBatch writes, long accountId, CallTally? before, CallTally after)
    {
        CallRollups.Move(writes, accountId, before, after);
        writes.Add(BumpVersion, ("account", accountId));
    }

    private static void AddEvent(SqlBatch writes, long accountId, long callNum, int seq, CallEvent report) =>
        writes.Add("INSERT INTO call_events (account_id, call_num, seq, status, at, detail) VALUES (@account, @num, @seq, @status, @at, @detail)",
            ("account", accountId), ("num", callNum), ("seq", seq), ("status", (int)report.Status), ("at", report.At), ("detail", report.Detail));
}
