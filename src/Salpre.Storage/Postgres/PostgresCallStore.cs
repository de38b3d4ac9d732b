using Npgsql;
using NpgsqlTypes;
using Salpre.Storage.Calls;
using static NpgsqlTypes.NpgsqlDbType;
using static Salpre.Storage.Postgres.PostgresSql;

namespace Salpre.Storage.Postgres;

public sealed partial class PostgresCallStore(PostgresDatabase database) : ICallStore
{
    public async Task<long> GetVersionAsync(long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT calls_version FROM accounts WHERE id = @account", ("account", accountId));
        return await command.ExecuteScalarAsync(cancellationToken) is long version ? version : 0;
    }

    public async Task<IReadOnlyList<CallRecord>> ListAsync(long accountId, CallQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(CallSql.ListSql(query, SqlDialect.Postgres), connection);
        CallSql.BindList(command, accountId, query);
        return await ReadAllAsync(command, static reader => CallSql.ReadCall(reader), cancellationToken);
    }

    public async Task<long> CountAsync(long accountId, CallFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(CallSql.CountSql(filter, SqlDialect.Postgres), connection);
        CallSql.BindCount(command, accountId, filter);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<CallDetailsRecord?> GetAsync(long accountId, long callNum, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, CallSql.SelectOne, ("account", accountId), ("num", callNum));
        return await FirstAsync(command, static reader => new CallDetailsRecord(
            CallSql.ReadCall(reader),
            AudioRecordUrl: reader.IsDBNull(9) ? null : reader.GetString(9),
            Transcript: reader.IsDBNull(10) ? null : reader.GetString(10),
            VariablesJson: reader.IsDBNull(11) ? null : reader.GetString(11)), cancellationToken);
    }

    public Task<long> ReserveCallNumbersAsync(long count, long above, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return database.WriteAsync(async (connection, ct) =>
        {
            var first = Math.Max(await PostgresCallNumbers.TakeOverAsync(connection, ct), above + 1);
            await PostgresCallNumbers.SetLastGivenAsync(connection, first + count - 1, ct);
            return first;
        }, cancellationToken);
    }

    public Task<ImportOutcome> ImportAsync(long accountId, IAsyncEnumerable<CallDetailsRecord> calls, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, ct) =>
        {
            // Make-calls wait until the import commits (as SQLite's one writer makes them), so that none takes a
            // number the import writes before the sequence is past it.
            var next = await PostgresCallNumbers.TakeOverAsync(connection, ct);
            await using var insertCall = new NpgsqlCommand(
                "INSERT INTO calls (account_id, started_at, call_num, status, from_addr, to_addr, agent_id, direction, ended_at, duration_sec) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING", connection);
            var call = AddParameters(insertCall, Bigint, Bigint, Bigint, Integer, Text, Text, Bigint, Integer, Bigint, Integer);
            await using var insertDetails = new NpgsqlCommand(
                "INSERT INTO call_details (account_id, call_num, audio_record_url, transcript, variables) VALUES ($1, $2, $3, $4, $5)", connection);
            var details = AddParameters(insertDetails, Bigint, Bigint, Text, Text, Text);
            await insertCall.PrepareAsync(ct);
            await insertDetails.PrepareAsync(ct);

            long inserted = 0, present = 0, highest = 0;
            await foreach (var record in calls.WithCancellation(ct))
            {
                var c = record.Call;
                Fill(call, accountId, c.StartedAt, c.CallNum, (int)c.Status, c.From, c.To, c.AgentId, (int)c.Direction, c.EndedAt, c.DurationSec);
                if (await insertCall.ExecuteNonQueryAsync(ct) == 0)
                {
                    present++;
                    continue;
                }
                inserted++;
                highest = Math.Max(highest, c.CallNum);
                if (record.AudioRecordUrl is not null || record.Transcript is not null || record.VariablesJson is not null)
                {
                    Fill(details, accountId, c.CallNum, record.AudioRecordUrl, record.Transcript, record.VariablesJson);
                    await insertDetails.ExecuteNonQueryAsync(ct);
                }
            }

            if (inserted > 0)
            {
                // Numbers written here must never be handed out again, and cached pages are now stale.
                await PostgresCallNumbers.SetLastGivenAsync(connection, Math.Max(next - 1, highest), ct);
                await BumpVersionAsync(connection, accountId, ct);
            }
            return new ImportOutcome(inserted, present);
        }, cancellationToken);

    // Typed up front, so that a null in a later row does not change the prepared statement's parameter types.
    private static NpgsqlParameter[] AddParameters(NpgsqlCommand command, params NpgsqlDbType[] types) =>
        [.. types.Select(type => command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type }))];

    private static void Fill(NpgsqlParameter[] parameters, params object?[] values)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private static Task BumpVersionAsync(NpgsqlConnection connection, long accountId, CancellationToken ct) =>
        ExecuteAsync(connection, ct, "UPDATE accounts SET calls_version = calls_version + 1 WHERE id = @account", ("account", accountId));
}
