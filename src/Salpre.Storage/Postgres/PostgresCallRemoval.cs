using System.Data.Common;
using Npgsql;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Removal;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage.Postgres;

/// <summary>
/// Call removal on PostgreSQL. Retention is one node's at a time: a session advisory lock, taken without waiting, held
/// for the run on a connection of its own (a node that dies lets it go with its connection). Deleted rows stay in the
/// table's pages until VACUUM reuses them, and in the WAL and its archives: see the README on erasure.
/// </summary>
public sealed class PostgresCallRemoval(PostgresDatabase database, IEventSink sink) : CallRemovalStore(sink)
{
    private protected override SqlDialect Dialect => SqlDialect.Postgres;

    private protected override Task<T> WriteAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, ct) => work(connection, ct), cancellationToken);

    private protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);

    private protected override async Task<IAsyncDisposable?> TakeRetentionTurnAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        try
        {
            await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection) { Parameters = { new("key", PostgresDatabase.RetentionLock) } };
            if ((bool)(await take.ExecuteScalarAsync(cancellationToken))!)
            {
                return new Turn(connection);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    // Pooled connections are not reset (NoResetOnClose), so the lock is let go before the connection goes back.
    private sealed class Turn(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection) { Parameters = { new("key", PostgresDatabase.RetentionLock) } };
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
