using Npgsql;
using NpgsqlTypes;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Stats;
using Salpre.Storage.Webhooks;
using static NpgsqlTypes.NpgsqlDbType;
using static Salpre.Storage.Postgres.PostgresSql;

namespace Salpre.Storage.Postgres;

/// <summary>The calls on PostgreSQL; every accepted change also writes its event (see <see cref="EventOutbox"/>).</summary>
public sealed partial class PostgresCallStore(PostgresDatabase database, IEventSink sink) : ICallStore
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

    public async Task<VersionedCalls> ListWithVersionAsync(long accountId, CallQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(CallSql.ListWithVersionSql(query, SqlDialect.Postgres), connection);
        CallSql.BindList(command, accountId, query);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var version = await reader.ReadAsync(cancellationToken) ? reader.GetInt64(0) : 0;
        await reader.NextResultAsync(cancellationToken);
        var calls = new List<CallRecord>(query.Limit);
        while (await reader.ReadAsync(cancellationToken))
        {
            calls.Add(CallSql.ReadCall(reader));
        }
        return new VersionedCalls(version, calls);
    }

    public async Task<IReadOnlyList<CallDetailsRecord>> ListDetailsAsync(long accountId, CallQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(CallSql.ListDetailsSql(query, SqlDialect.Postgres), connection);
        CallSql.BindList(command, accountId, query);
        return await ReadAllAsync(command, static reader => CallSql.ReadDetails(reader), cancellationToken);
    }

    public async Task<long> CountAsync(long accountId, CallFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(CallSql.CountSql(filter, SqlDialect.Postgres), connection);
        CallSql.BindCount(command, accountId, filter);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<StatsRow>> GetStatsAsync(long accountId, StatsQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // A prepared statement's generic plan cannot see the range its parameters give, and for a join of days to
        // rollup rows PostgreSQL estimates it far cheaper than it is (5 s for two years by day, against 10 ms): each
        // part is planned for its own values.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var custom = new NpgsqlCommand("SET LOCAL plan_cache_mode = force_custom_plan", connection, transaction))
        {
            await custom.ExecuteNonQueryAsync(cancellationToken);
        }
        var rows = new List<StatsRow>();
        foreach (var part in StatsSql.Plan(accountId, query, SqlDialect.Postgres))
        {
            await using var command = new NpgsqlCommand(part.Sql, connection, transaction);
            part.Bind(command);
            rows.AddRange((await ReadAllAsync(command, StatsSql.Read, cancellationToken)).SelectMany(row => StatsSql.Rows(part, row)));
        }
        await transaction.CommitAsync(cancellationToken);
        return StatsSql.Merge(rows);
    }

    public async Task<CallDetailsRecord?> GetAsync(long accountId, long callNum, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, CallSql.SelectOne, ("account", accountId), ("num", callNum));
        return await FirstAsync(command, static reader => CallSql.ReadDetails(reader), cancellationToken);
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

    public async Task<ImportOutcome> ImportAsync(long accountId, IAsyncEnumerable<CallDetailsRecord> calls, bool withEvents, CancellationToken cancellationToken)
    {
        var outcome = await EventOutbox.TellAsync(sink, WriteImportAsync(accountId, calls, withEvents, cancellationToken), written => withEvents && written.Inserted > 0);
        database.Metrics.Imported(outcome);
        return outcome;
    }

    private Task<ImportOutcome> WriteImportAsync(long accountId, IAsyncEnumerable<CallDetailsRecord> calls, bool withEvents, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, ct) =>
        {
            // Make-calls wait until the import commits (as SQLite's one writer makes them), so that none takes a
            // number the import writes before the sequence is past it.
            var next = await PostgresCallNumbers.TakeOverAsync(connection, ct);

            // The file streams in by binary COPY (no round trip per call), then moves over in one statement.
            await ExecuteAsync(connection, ct,
                "CREATE TEMP TABLE import_calls (LIKE calls INCLUDING DEFAULTS, audio_record_url text, transcript text, variables text) ON COMMIT DROP");
            long total = 0;
            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY import_calls (account_id, started_at, call_num, status, from_addr, to_addr, agent_id, direction, ended_at, " +
                "duration_sec, audio_record_url, transcript, variables) FROM STDIN (FORMAT BINARY)", ct))
            {
                await foreach (var record in calls.WithCancellation(ct))
                {
                    var c = record.Call;
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(accountId, Bigint, ct);
                    await copy.WriteAsync(c.StartedAt, Bigint, ct);
                    await copy.WriteAsync(c.CallNum, Bigint, ct);
                    await copy.WriteAsync((int)c.Status, Integer, ct);
                    await copy.WriteAsync(c.From, Text, ct);
                    await copy.WriteAsync(c.To, Text, ct);
                    await copy.WriteAsync(c.AgentId, Bigint, ct);
                    await copy.WriteAsync((int)c.Direction, Integer, ct);
                    await WriteNullableAsync(copy, c.EndedAt, Bigint, ct);
                    await WriteNullableAsync(copy, c.DurationSec, Integer, ct);
                    await WriteNullableAsync(copy, record.AudioRecordUrl, Text, ct);
                    await WriteNullableAsync(copy, record.Transcript, Text, ct);
                    await WriteNullableAsync(copy, record.VariablesJson, Text, ct);
                    total++;
                }
                await copy.CompleteAsync(ct);
            }

            // A call the account already holds is left as it is; a number twice in the file counts once.
            await using var move = Command(connection, """
                WITH source AS (
                    SELECT DISTINCT ON (call_num) * FROM import_calls ORDER BY call_num, ctid),
                inserted AS (
                    INSERT INTO calls (account_id, started_at, call_num, status, from_addr, to_addr, agent_id, direction, ended_at, duration_sec, answered)
                    SELECT account_id, started_at, call_num, status, from_addr, to_addr, agent_id, direction, ended_at, duration_sec,
                           CASE WHEN status = 2 OR duration_sec > 0 THEN 1 ELSE 0 END FROM source
                    ON CONFLICT DO NOTHING
                    RETURNING call_num, started_at, agent_id, status, answered, duration_sec, from_addr, to_addr, direction, ended_at),
                details AS (
                    INSERT INTO call_details (account_id, call_num, audio_record_url, transcript, variables)
                    SELECT s.account_id, s.call_num, s.audio_record_url, s.transcript, s.variables FROM source s JOIN inserted USING (call_num)
                    WHERE s.audio_record_url IS NOT NULL OR s.transcript IS NOT NULL OR s.variables IS NOT NULL)
                SELECT call_num, started_at, agent_id, status, answered, duration_sec, from_addr, to_addr, direction, ended_at FROM inserted ORDER BY call_num
                """);
            // The calls written, tallied for the statistics' rollups (a call the account held already counts once, as before).
            long inserted = 0, highest = 0;
            var rollups = new CallRollups.Changes();
            var written = new List<CallRecord>();
            await using (var reader = await move.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    inserted++;
                    highest = Math.Max(highest, reader.GetInt64(0));
                    var duration = reader.IsDBNull(5) ? 0 : reader.GetInt32(5);
                    rollups.Add(new CallTally(reader.GetInt64(1), reader.GetInt64(2), (CallStatus)reader.GetInt32(3), reader.GetInt32(4) != 0, duration), +1);
                    if (withEvents)
                    {
                        written.Add(new CallRecord(reader.GetInt64(0), (CallStatus)reader.GetInt32(3), reader.GetString(6), reader.GetString(7), reader.GetInt64(2),
                            (CallDirection)reader.GetInt32(8), reader.GetInt64(1), reader.IsDBNull(9) ? null : reader.GetInt64(9), reader.IsDBNull(5) ? null : duration));
                    }
                }
            }
            await rollups.WriteAsync(connection, accountId, ct);
            foreach (var call in written)
            {
                await EventOutbox.AppendCallAsync(connection, SqlDialect.Postgres, sink, accountId, call, null, 0, ct);
            }

            if (inserted > 0)
            {
                // Numbers written here must never be handed out again, and cached pages are now stale.
                await PostgresCallNumbers.SetLastGivenAsync(connection, Math.Max(next - 1, highest), ct);
                await ExecuteAsync(connection, ct, BumpVersion, ("account", accountId));
            }
            return new ImportOutcome(inserted, total - inserted);
        }, cancellationToken);

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);

    /// <summary>Cached pages of the account are stale; parameter @account.</summary>
    private const string BumpVersion = "UPDATE accounts SET calls_version = calls_version + 1 WHERE id = @account";
}
