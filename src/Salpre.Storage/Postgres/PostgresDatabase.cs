using DbUp;
using DbUp.Engine;
using DbUp.Postgresql;
using Npgsql;

namespace Salpre.Storage.Postgres;

/// <summary>
/// The PostgreSQL database: one <see cref="NpgsqlDataSource"/> for every connection, the schema, and secrets.
/// Statements are prepared automatically on the pooled connections, so the hot path is parsed and planned once.
/// </summary>
public sealed class PostgresDatabase : IStorage, IDisposable, IAsyncDisposable
{
    // Keys of the advisory locks this schema uses; arbitrary, fixed numbers.
    internal const long MigrationLock = 0x5A1_0001;
    internal const long CallNumbersLock = 0x5A1_0002;
    internal const long RetentionLock = 0x5A1_0003;

    public PostgresDatabase(StorageOptions options, StorageMetrics? metrics = null)
    {
        Metrics = metrics ?? StorageMetrics.Unobserved;
        // The name labels Npgsql's metrics and traces; by default it would be the connection string (less the password).
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString) { Name = "salpre" };
        var settings = builder.ConnectionStringBuilder;
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 128;
            settings.AutoPrepareMinUsages = 2;
        }
        // The stores leave no session state behind (no SET, LISTEN or temporary table past its transaction; the
        // migration lock is let go in a finally), so the reset Npgsql runs on the next use of a pooled connection
        // (RESET ALL, DISCARD SEQUENCES, DISCARD TEMP...) is work for nothing on every request.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = options.ConnectionString };
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            settings.NoResetOnClose = true;
        }
        // PostgreSQL compiles a plan whose estimated cost passes jit_above_cost; for the statistics' range joins that
        // is 170 ms of compiling for 10 ms of reading (two years by day). Every query here is short: no JIT.
        if (!given.ContainsKey("Options"))
        {
            settings.Options = "-c jit=off";
        }
        DataSource = builder.Build();
        ConnectionString = settings.ConnectionString;
    }

    public NpgsqlDataSource DataSource { get; }

    internal StorageMetrics Metrics { get; }

    internal string ConnectionString { get; }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        DataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>Runs <paramref name="work"/> in a read-committed transaction and commits it unless the work throws.</summary>
    public async Task<T> WriteAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a read-committed transaction that costs no round trip of its own: BEGIN goes
    /// out with the work's first statement, and COMMIT with the writes the work leaves in its batch, in one round
    /// trip. So the rows those writes lock (an account's rollups, its calls version) stay locked for that round trip
    /// and the commit's flush only. A work that throws is rolled back.
    /// </summary>
    internal async Task<T> WriteAsync<T>(Func<NpgsqlConnection, SqlBatch, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var writes = new SqlBatch();
        var result = await work(connection, writes, cancellationToken);
        // Npgsql sees the transaction end with this statement, and the transaction object has nothing left to do.
        writes.Add("COMMIT");
        await writes.ExecuteAsync(connection, cancellationToken);
        return result;
    }

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        // Nodes that start together take turns: the lock lives as long as this connection holds it.
        await using var turn = await OpenAsync(cancellationToken);
        await ExecuteAsync(turn, "SELECT pg_advisory_lock(@key)", cancellationToken);
        try
        {
            var result = Upgrader().PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
            }
            return [.. result.Scripts.Select((SqlScript script) => script.Name)];
        }
        finally
        {
            await ExecuteAsync(turn, "SELECT pg_advisory_unlock(@key)", CancellationToken.None);
        }
    }

    public Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<string> pending = [.. Upgrader().GetScriptsToExecute().Select(script => script.Name)];
        return Task.FromResult(pending);
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT value FROM counters WHERE name = 'keys_version'", connection);
        _ = await command.ExecuteScalarAsync(cancellationToken);
    }

    public async Task<byte[]> GetOrCreateSecretAsync(string name, byte[] candidate, CancellationToken cancellationToken)
    {
        // The insert waits for a rival node's insert to commit, so the select that follows sees the winner.
        await using var connection = await OpenAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand("INSERT INTO secrets (name, value) VALUES (@name, @value) ON CONFLICT DO NOTHING", connection))
        {
            insert.Parameters.AddWithValue("name", name);
            insert.Parameters.AddWithValue("value", candidate);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var select = new NpgsqlCommand("SELECT value FROM secrets WHERE name = @name", connection);
        select.Parameters.AddWithValue("name", name);
        return (byte[])(await select.ExecuteScalarAsync(cancellationToken))!;
    }

    public void Dispose() => DataSource.Dispose();

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    private UpgradeEngine Upgrader() => DeployChanges.To
        .PostgresqlDatabase(new PostgresqlConnectionManager(DataSource))
        .WithScriptsEmbeddedInAssembly(typeof(PostgresDatabase).Assembly, name => name.Contains(".Postgres.Migrations.", StringComparison.Ordinal))
        .WithTransactionPerScript()
        .LogToNowhere()
        .Build();

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", MigrationLock);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
