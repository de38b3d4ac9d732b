using Npgsql;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Stats;
using Salpre.Storage.Webhooks;
using static Salpre.Storage.Postgres.PostgresSql;

namespace Salpre.Storage.Postgres;

/// <summary>Calls coming in: make-call's creation, the boxes' status reports, and the call's log.</summary>
public sealed partial class PostgresCallStore
{
    public Task<CreateOutcome> CreateAsync(long accountId, NewCall call, IdempotencyClaim? claim, Func<CallRecord, byte[]> render, CancellationToken cancellationToken) =>
        EventOutbox.TellAsync(sink, WriteCreateAsync(accountId, call, claim, render, cancellationToken), outcome => outcome is CreateOutcome.Created);

    private Task<CreateOutcome> WriteCreateAsync(long accountId, NewCall call, IdempotencyClaim? claim, Func<CallRecord, byte[]> render, CancellationToken cancellationToken) =>
        database.WriteAsync<CreateOutcome>(async (connection, ct) =>
        {
            if (claim is not null && await ClaimAsync(connection, accountId, claim, call.StartedAt, ct) is { } earlier)
            {
                return earlier;
            }

            var callNum = await InsertCallAsync(connection, accountId, call, ct);
            var created = new CallRecord(callNum, CallStatus.Initiated, call.From, call.To, call.AgentId, CallDirection.Outbound, call.StartedAt, null, null);
            await InsertEventAsync(connection, accountId, callNum, 1, new CallEvent(CallStatus.Initiated, call.StartedAt, null), ct);
            await CallRollups.ApplyAsync(connection, accountId, [CallTally.Of(created, answered: false)], [], ct);
            await EventOutbox.AppendCallAsync(connection, SqlDialect.Postgres, sink, accountId, created, null, 1, ct);

            var response = render(created);
            if (claim is not null)
            {
                await ExecuteAsync(connection, ct,
                    "UPDATE idempotency_keys SET call_num = @num, response = @response WHERE account_id = @account AND idempotency_key = @key",
                    ("num", callNum), ("response", response), ("account", accountId), ("key", claim.Key));
            }
            await BumpVersionAsync(connection, accountId, ct);
            return new CreateOutcome.Created(created, response);
        }, cancellationToken);

    public async Task<CreateOutcome?> FindIdempotentAsync(long accountId, IdempotencyClaim claim, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return Judge(claim, await ReadClaimAsync(connection, accountId, claim.Key, cancellationToken));
    }

    public Task<EventOutcome> RecordEventAsync(long accountId, long callNum, CallEvent report, CallOutcome? outcome, CancellationToken cancellationToken) =>
        EventOutbox.TellAsync(sink, WriteEventAsync(accountId, callNum, report, outcome, cancellationToken), result => result.Result == EventResult.Applied);

    private Task<EventOutcome> WriteEventAsync(long accountId, long callNum, CallEvent report, CallOutcome? outcome, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, ct) =>
        {
            // The row lock makes concurrent reports of one call take turns, each judged against the one before.
            Tuple<CallRecord, bool>? read;
            await using (var select = Command(connection, CallSql.SelectOne + " FOR UPDATE OF c", ("account", accountId), ("num", callNum)))
            {
                read = await FirstAsync(select, static reader => Tuple.Create(CallSql.ReadCall(reader), CallSql.ReadAnswered(reader)), ct);
            }
            if (read is not var (call, wasAnswered))
            {
                return new EventOutcome(EventResult.NotFound, null);
            }
            var events = await ReadEventsAsync(connection, accountId, callNum, ct);
            var judged = CallLifecycle.Judge(call, events, report);
            if (judged.Result != EventResult.Applied)
            {
                return judged;
            }

            var moved = judged.Call!;
            await InsertEventAsync(connection, accountId, callNum, events.Count + 1, report, ct);
            // A final report may bring the recording, the transcript and the variables.
            if (moved.Status.IsFinal() && outcome is not null)
            {
                await ExecuteAsync(connection, ct, CallSql.UpsertOutcome,
                    ("account", accountId), ("num", callNum), ("url", outcome.AudioRecordUrl), ("transcript", outcome.Transcript), ("variables", outcome.VariablesJson));
            }
            var answered = wasAnswered || moved.Status == CallStatus.InProgress;
            await ExecuteAsync(connection, ct, CallSql.UpdateState,
                ("status", (int)moved.Status), ("ended_at", moved.EndedAt), ("duration", moved.DurationSec), ("answered", answered ? 1 : 0),
                ("account", accountId), ("num", callNum));
            await CallRollups.MoveAsync(connection, accountId, CallTally.Of(call, wasAnswered), CallTally.Of(moved, answered), ct);
            await EventOutbox.AppendCallAsync(connection, SqlDialect.Postgres, sink, accountId, moved, call.Status, events.Count + 1, ct);
            await BumpVersionAsync(connection, accountId, ct);
            return judged;
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

    /// <summary>
    /// Claims the key for this request, taking over an expired claim; or, when a live claim holds it, the answer it
    /// means. A rival claim still in flight makes the insert wait for its transaction, so exactly one call is made.
    /// </summary>
    private static async Task<CreateOutcome?> ClaimAsync(NpgsqlConnection connection, long accountId, IdempotencyClaim claim, long now, CancellationToken ct)
    {
        while (true)
        {
            var claimed = await ExecuteAsync(connection, ct,
                "INSERT INTO idempotency_keys (account_id, idempotency_key, request_hash, call_num, response, created_at) " +
                "VALUES (@account, @key, @hash, 0, ''::bytea, @now) ON CONFLICT (account_id, idempotency_key) DO UPDATE SET " +
                "request_hash = excluded.request_hash, call_num = 0, response = excluded.response, created_at = excluded.created_at " +
                "WHERE idempotency_keys.created_at < @expired",
                ("account", accountId), ("key", claim.Key), ("hash", claim.RequestHash), ("now", now), ("expired", claim.ExpiredBefore));
            if (claimed == 1)
            {
                return null;
            }
            // A live claim: judge against it (it may have been forgotten meanwhile; then claim again).
            if (Judge(claim, await ReadClaimAsync(connection, accountId, claim.Key, ct)) is { } earlier)
            {
                return earlier;
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

    /// <summary>Inserts the initiated call under the next number; imports never write one the sequence has not passed.</summary>
    private static async Task<long> InsertCallAsync(NpgsqlConnection connection, long accountId, NewCall call, CancellationToken ct)
    {
        var callNum = await PostgresCallNumbers.NextAsync(connection, ct);
        await ExecuteAsync(connection, ct,
            "INSERT INTO calls (account_id, started_at, call_num, status, from_addr, to_addr, agent_id, direction) " +
            "VALUES (@account, @started_at, @num, 0, @from, @to, @agent, 0)",
            ("account", accountId), ("started_at", call.StartedAt), ("num", callNum), ("from", call.From), ("to", call.To), ("agent", call.AgentId));
        return callNum;
    }

    private static async Task<List<CallEventRecord>> ReadEventsAsync(NpgsqlConnection connection, long accountId, long callNum, CancellationToken ct)
    {
        await using var command = Command(connection,
            "SELECT status, at, detail FROM call_events WHERE account_id = @account AND call_num = @num ORDER BY seq",
            ("account", accountId), ("num", callNum));
        return await ReadAllAsync(command, static reader =>
            new CallEventRecord((CallStatus)reader.GetInt32(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)), ct);
    }

    private static Task InsertEventAsync(NpgsqlConnection connection, long accountId, long callNum, int seq, CallEvent report, CancellationToken ct) =>
        ExecuteAsync(connection, ct,
            "INSERT INTO call_events (account_id, call_num, seq, status, at, detail) VALUES (@account, @num, @seq, @status, @at, @detail)",
            ("account", accountId), ("num", callNum), ("seq", seq), ("status", (int)report.Status), ("at", report.At), ("detail", report.Detail));
}
