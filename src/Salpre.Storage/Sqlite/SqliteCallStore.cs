using Microsoft.Data.Sqlite;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Stats;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage.Sqlite;

/// <summary>The calls on SQLite; every accepted change also writes its event (see <see cref="EventOutbox"/>).</summary>
public sealed partial class SqliteCallStore(SqliteDatabase database, IEventSink sink) : ICallStore
{
    public Task<long> GetVersionAsync(long accountId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(database.Read(
            "SELECT calls_version FROM accounts WHERE id = @account",
            accountId,
            static (command, account) => command.Parameters.AddWithValue("@account", account),
            static (reader, _) => reader.Read() ? reader.GetInt64(0) : 0));
    }

    public Task<IReadOnlyList<CallRecord>> ListAsync(long accountId, CallQuery query, CancellationToken cancellationToken) =>
        ReadListAsync(CallSql.ListSql(query, SqlDialect.Sqlite), accountId, query, static reader => CallSql.ReadCall(reader), cancellationToken);

    public Task<VersionedCalls> ListWithVersionAsync(long accountId, CallQuery query, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(database.Read(
            CallSql.ListWithVersionSql(query, SqlDialect.Sqlite),
            (accountId, query),
            static (command, state) => CallSql.BindList(command, state.accountId, state.query),
            static (reader, state) => CallSql.ReadWithVersion(reader, state.query.Limit)));
    }

    public Task<IReadOnlyList<CallDetailsRecord>> ListDetailsAsync(long accountId, CallQuery query, CancellationToken cancellationToken) =>
        ReadListAsync(CallSql.ListDetailsSql(query, SqlDialect.Sqlite), accountId, query, CallSql.ReadDetails, cancellationToken);

    private Task<IReadOnlyList<T>> ReadListAsync<T>(string sql, long accountId, CallQuery query, Func<SqliteDataReader, T> readRow, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<T> rows = database.Read(
            sql,
            (accountId, query, readRow),
            static (command, state) => CallSql.BindList(command, state.accountId, state.query),
            static (reader, state) =>
            {
                var rows = new List<T>(state.query.Limit);
                while (reader.Read())
                {
                    rows.Add(state.readRow(reader));
                }
                return rows;
            });
        return Task.FromResult(rows);
    }

    public Task<long> CountAsync(long accountId, CallFilter filter, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(database.Read(
            CallSql.CountSql(filter, SqlDialect.Sqlite),
            (accountId, filter),
            static (command, state) => CallSql.BindCount(command, state.accountId, state.filter),
            static (reader, _) => reader.Read() ? reader.GetInt64(0) : 0));
    }

    public Task<IReadOnlyList<StatsRow>> GetStatsAsync(long accountId, StatsQuery query, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var rows = StatsSql.Plan(accountId, query, SqlDialect.Sqlite).SelectMany(part => database.Read(
            part.Sql,
            part,
            static (command, part) => part.Bind(command),
            static (reader, part) =>
            {
                var rows = new List<StatsRow>();
                while (reader.Read())
                {
                    rows.AddRange(StatsSql.Rows(part, StatsSql.Read(reader)));
                }
                return rows;
            }));
        return Task.FromResult(StatsSql.Merge(rows));
    }

    public Task<CallDetailsRecord?> GetAsync(long accountId, long callNum, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(database.Read(
            CallSql.SelectOne,
            (accountId, callNum),
            static (command, state) =>
            {
                command.Parameters.AddWithValue("@account", state.accountId);
                command.Parameters.AddWithValue("@num", state.callNum);
            },
            static (reader, _) => reader.Read() ? CallSql.ReadDetails(reader) : null));
    }

    public Task<long> ReserveCallNumbersAsync(long count, long above, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText =
                "UPDATE counters SET value = max(value, @above + 1) + @count WHERE name = 'next_call_num' " +
                "RETURNING value - @count";
            command.Parameters.AddWithValue("@above", above);
            command.Parameters.AddWithValue("@count", count);
            return (long)(await command.ExecuteScalarAsync(ct))!;
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
            // A large import inserts into every index of calls at once: a page cache of its size spares it rereading pages.
            await SetCacheSizeAsync(connection, ImportCacheKiB, ct);
            using var insertCall = new SqliteRawStatement(connection,
                "INSERT INTO calls (account_id, started_at, call_num, status, from_addr, to_addr, agent_id, direction, ended_at, duration_sec, answered) " +
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING");
            using var insertDetails = new SqliteRawStatement(connection,
                "INSERT INTO call_details (account_id, call_num, audio_record_url, transcript, variables) VALUES (?1, ?2, ?3, ?4, ?5)");

            long inserted = 0, present = 0, highest = 0;
            var rollups = new CallRollups.Changes();
            try
            {
                await foreach (var details in calls.WithCancellation(ct))
                {
                    var call = details.Call;
                    var answered = CallLifecycle.IsAnsweredImport(call);
                    insertCall.Bind(1, accountId);
                    insertCall.Bind(2, call.StartedAt);
                    insertCall.Bind(3, call.CallNum);
                    insertCall.Bind(4, (int)call.Status);
                    insertCall.Bind(5, call.From);
                    insertCall.Bind(6, call.To);
                    insertCall.Bind(7, call.AgentId);
                    insertCall.Bind(8, (int)call.Direction);
                    insertCall.Bind(9, call.EndedAt);
                    insertCall.Bind(10, call.DurationSec);
                    insertCall.Bind(11, answered ? 1 : 0);
                    if (insertCall.Execute() == 0)
                    {
                        present++;
                        continue;
                    }
                    inserted++;
                    rollups.Add(CallTally.Of(call, answered), +1);
                    highest = Math.Max(highest, call.CallNum);
                    if (details.AudioRecordUrl is not null || details.Transcript is not null || details.VariablesJson is not null)
                    {
                        insertDetails.Bind(1, accountId);
                        insertDetails.Bind(2, call.CallNum);
                        insertDetails.Bind(3, details.AudioRecordUrl);
                        insertDetails.Bind(4, details.Transcript);
                        insertDetails.Bind(5, details.VariablesJson);
                        insertDetails.Execute();
                    }
                    if (withEvents)
                    {
                        await EventOutbox.AppendCallAsync(connection, SqlDialect.Sqlite, sink, accountId, call, null, 0, ct);
                    }
                }
            }
            finally
            {
                await SetCacheSizeAsync(connection, DefaultCacheKiB, CancellationToken.None);
            }

            await rollups.WriteAsync(connection, accountId, ct);

            // Numbers given here must never be handed out again by the generator, and cached pages are now stale.
            await using var bump = connection.CreateCommand();
            bump.CommandText = "UPDATE counters SET value = max(value, @next) WHERE name = 'next_call_num'; " +
                               "UPDATE accounts SET calls_version = calls_version + 1 WHERE id = @account AND @inserted > 0;";
            bump.Parameters.AddWithValue("@next", highest + 1);
            bump.Parameters.AddWithValue("@account", accountId);
            bump.Parameters.AddWithValue("@inserted", inserted);
            await bump.ExecuteNonQueryAsync(ct);
            return new ImportOutcome(inserted, present);
        }, cancellationToken);

    private const int ImportCacheKiB = 256 * 1024;
    private const int DefaultCacheKiB = 2000;

    private static async Task SetCacheSizeAsync(SqliteConnection connection, int kibibytes, CancellationToken cancellationToken)
    {
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA cache_size = -{kibibytes}";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
    }
}
