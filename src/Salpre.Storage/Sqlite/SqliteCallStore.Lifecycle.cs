using Microsoft.Data.Sqlite;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Stats;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage.Sqlite;

/// <summary>Calls coming in: make-call's creation, the boxes' status reports, and the call's log.</summary>
public sealed partial class SqliteCallStore
{
    public async Task<CreateOutcome> CreateAsync(long accountId, NewCall call, IdempotencyClaim? claim, Func<CallRecord, byte[]> render, CancellationToken cancellationToken) =>
        (await EventOutbox.TellAsync(sink, WriteCreateAsync(accountId, call, claim, render, cancellationToken), written => written.Deliveries?.RecordsAffected > 0)).Outcome;

    private Task<(CreateOutcome Outcome, SqlBatch.Statement? Deliveries)> WriteCreateAsync(
        long accountId, NewCall call, IdempotencyClaim? claim, Func<CallRecord, byte[]> render, CancellationToken cancellationToken) =>
        database.WriteAsync<(CreateOutcome, SqlBatch.Statement?)>(async (connection, ct) =>
        {
            if (claim is not null)
            {
                var stored = await ReadClaimAsync(connection, accountId, claim.Key, ct);
                if (Judge(claim, stored) is { } earlier)
                {
                    return (earlier, null);
                }
                if (stored is not null)
                {
                    // The key's window has passed: it starts afresh.
                    await ExecuteAsync(connection, ct, "DELETE FROM idempotency_keys WHERE account_id = @account AND idempotency_key = @key",
                        ("@account", accountId), ("@key", claim.Key));
                }
            }

            var callNum = await NextCallNumberAsync(connection, ct);
            var created = new CallRecord(callNum, CallStatus.Initiated, call.From, call.To, call.AgentId, CallDirection.Outbound, call.StartedAt, null, null);
            await ExecuteAsync(connection, ct,
                "INSERT INTO calls (account_id, started_at, call_num, status, from_addr, to_addr, agent_id, direction) " +
                "VALUES (@account, @started_at, @num, 0, @from, @to, @agent, 0)",
                ("@account", accountId), ("@started_at", call.StartedAt), ("@num", callNum), ("@from", call.From), ("@to", call.To), ("@agent", call.AgentId));
            await InsertEventAsync(connection, accountId, callNum, 1, new CallEvent(CallStatus.Initiated, call.StartedAt, null), ct);
            var writes = new SqlBatch();
            CallRollups.Move(writes, accountId, null, CallTally.Of(created, answered: false));
            var deliveries = EventOutbox.AppendCall(writes, SqlDialect.Sqlite, sink, accountId, created, null, 1);
            await writes.ExecuteAsync(connection, ct);

            var response = render(created);
            if (claim is not null)
            {
                // The primary key makes a second request under the key fail here, whatever raced it.
                await ExecuteAsync(connection, ct,
                    "INSERT INTO idempotency_keys (account_id, idempotency_key, request_hash, call_num, response, created_at) " +
                    "VALUES (@account, @key, @hash, @num, @response, @now)",
                    ("@account", accountId), ("@key", claim.Key), ("@hash", claim.RequestHash), ("@num", callNum), ("@response", response), ("@now", call.StartedAt));
            }
            await BumpVersionAsync(connection, accountId, ct);
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
        database.WriteAsync<(EventOutcome, SqlBatch.Statement?)>(async (connection, ct) =>
        {
            if (await ReadCallAsync(connection, accountId, callNum, ct) is not var (call, wasAnswered))
            {
                return (new EventOutcome(EventResult.NotFound, null), null);
            }
            var reports = await ReadEventsAsync(connection, accountId, callNum, ct);
            var judged = CallLifecycle.Judge(call, reports, report);
            if (judged.Result != EventResult.Applied)
            {
                return (judged, null);
            }

            var moved = judged.Call!;
            await InsertEventAsync(connection, accountId, callNum, reports.Count + 1, report, ct);
            // A final report may bring the recording, the transcript and the variables.
            if (moved.Status.IsFinal() && outcome is not null)
            {
                await ExecuteAsync(connection, ct, CallSql.UpsertOutcome,
                    ("@account", accountId), ("@num", callNum), ("@url", outcome.AudioRecordUrl), ("@transcript", outcome.Transcript), ("@variables", outcome.VariablesJson));
            }
            var answered = wasAnswered || moved.Status == CallStatus.InProgress;
            await ExecuteAsync(connection, ct, CallSql.UpdateState,
                ("@status", (int)moved.Status), ("@ended_at", moved.EndedAt), ("@duration", moved.DurationSec), ("@answered", answered ? 1 : 0),
                ("@account", accountId), ("@num", callNum));
            var writes = new SqlBatch();
            CallRollups.Move(writes, accountId, CallTally.Of(call, wasAnswered), CallTally.Of(moved, answered));
            var deliveries = EventOutbox.AppendCall(writes, SqlDialect.Sqlite, sink, accountId, moved, call.Status, reports.Count + 1);
            await writes.ExecuteAsync(connection, ct);
            await BumpVersionAsync(connection, accountId, ct);
            return (judged, deliveries);
        }, cancellationToken);

    public async Task<IReadOnlyList<CallEventRecord>?> ListEventsAsync(long accountId, long callNum, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (await ReadCallAsync(connection, accountId, callNum, cancellationToken) is not var (call, _))
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

    public Task<long> ForgetIdempotencyKeysAsync(long before, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, ct) =>
            (long)await ExecuteAsync(connection, ct, "DELETE FROM idempotency_keys WHERE created_at < @before", ("@before", before)),
            cancellationToken);

    private sealed record StoredClaim(byte[] RequestHash, byte[] Response, long CreatedAt);

    private static async Task<StoredClaim?> ReadClaimAsync(SqliteConnection connection, long accountId, string key, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT request_hash, response, created_at FROM idempotency_keys WHERE account_id = @account AND idempotency_key = @key";
        command.Parameters.AddWithValue("@account", accountId);
        command.Parameters.AddWithValue("@key", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new StoredClaim((byte[])reader[0], (byte[])reader[1], reader.GetInt64(2)) : null;
    }

    /// <summary>What a stored key means for a request: its answer again, a conflict, or nothing (new or expired key).</summary>
    private static CreateOutcome? Judge(IdempotencyClaim claim, StoredClaim? stored) =>
        stored is null || stored.CreatedAt < claim.ExpiredBefore ? null
        : stored.RequestHash.AsSpan().SequenceEqual(claim.RequestHash) ? new CreateOutcome.Replayed(stored.Response)
        : new CreateOutcome.KeyReused();

    private static async Task<long> NextCallNumberAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE counters SET value = value + 1 WHERE name = 'next_call_num' RETURNING value - 1";
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<(CallRecord Call, bool Answered)?> ReadCallAsync(SqliteConnection connection, long accountId, long callNum, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = CallSql.SelectOne;
        command.Parameters.AddWithValue("@account", accountId);
        command.Parameters.AddWithValue("@num", callNum);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (CallSql.ReadCall(reader), CallSql.ReadAnswered(reader)) : null;
    }

    private static async Task<List<CallEventRecord>> ReadEventsAsync(SqliteConnection connection, long accountId, long callNum, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status, at, detail FROM call_events WHERE account_id = @account AND call_num = @num ORDER BY seq";
        command.Parameters.AddWithValue("@account", accountId);
        command.Parameters.AddWithValue("@num", callNum);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var events = new List<CallEventRecord>();
        while (await reader.ReadAsync(ct))
        {
            events.Add(new CallEventRecord((CallStatus)reader.GetInt32(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }
        return events;
    }

    private static Task InsertEventAsync(SqliteConnection connection, long accountId, long callNum, int seq, CallEvent report, CancellationToken ct) =>
        ExecuteAsync(connection, ct,
            "INSERT INTO call_events (account_id, call_num, seq, status, at, detail) VALUES (@account, @num, @seq, @status, @at, @detail)",
            ("@account", accountId), ("@num", callNum), ("@seq", seq), ("@status", (int)report.Status), ("@at", report.At), ("@detail", report.Detail));

    private static Task BumpVersionAsync(SqliteConnection connection, long accountId, CancellationToken ct) =>
        ExecuteAsync(connection, ct, "UPDATE accounts SET calls_version = calls_version + 1 WHERE id = @account", ("@account", accountId));

    private static async Task<int> ExecuteAsync(SqliteConnection connection, CancellationToken ct, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return await command.ExecuteNonQueryAsync(ct);
    }
}
