using Npgsql;
using Salpre.Storage.Postgres;
using Salpre.Tests.Shared;

namespace Salpre.Storage.Tests.Postgres;

/// <summary>The PostgreSQL database itself: migrations under the advisory lock, and which failures mean "unavailable".</summary>
public sealed class PostgresDatabaseTests
{
    private static PostgresDatabase Open(string connectionString) =>
        new(new StorageOptions { Provider = "postgres", ConnectionString = connectionString });

    [Fact]
    public async Task Nodes_that_migrate_one_new_database_together_run_each_script_once()
    {
        var server = await PostgresServer.SharedAsync();
        var connectionString = await server.CreateEmptyDatabaseAsync(TestContext.Current.CancellationToken);
        var nodes = Enumerable.Range(0, 6).Select(_ => Open(connectionString)).ToList();
        try
        {
            Assert.NotEmpty(await nodes[0].PendingMigrationsAsync(TestContext.Current.CancellationToken));

            var runs = await Task.WhenAll(nodes.Select(node => Task.Run(() => node.MigrateAsync(TestContext.Current.CancellationToken))));

            var scripts = typeof(PostgresDatabase).Assembly.GetManifestResourceNames().Count(n => n.Contains(".Postgres.Migrations.", StringComparison.Ordinal));
            Assert.Single(runs, run => run.Count == scripts);
            Assert.Equal(5, runs.Count(run => run.Count == 0));
            await using var journal = nodes[0].DataSource.CreateCommand("SELECT count(*), count(DISTINCT scriptname) FROM schemaversions");
            await using var reader = await journal.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
            Assert.Equal(scripts, reader.GetInt64(0));
            Assert.Equal(scripts, reader.GetInt64(1));
            Assert.Empty(await nodes[1].PendingMigrationsAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
            await server.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_unavailable()
    {
        var port = (await PostgresServer.SharedAsync()).Port;
        await using var nowhere = Open($"Host=127.0.0.1;Port={port + 1};Username=postgres;Database=none;Timeout=2");

        var failure = await Record.ExceptionAsync(() => nowhere.CheckAsync(TestContext.Current.CancellationToken));

        Assert.NotNull(failure);
        Assert.True(StorageErrors.IsUnavailable(failure), failure.ToString());
    }

    [Fact]
    public async Task A_terminated_session_is_unavailable_and_a_wrong_query_is_not()
    {
        await using var db = await PostgresTestStore.CreateAsync();
        await using var victim = await db.Database.OpenAsync(TestContext.Current.CancellationToken);
        var pid = victim.ProcessID;

        await using (var terminate = db.Database.DataSource.CreateCommand($"SELECT pg_terminate_backend({pid})"))
        {
            await terminate.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        }
        await using var after = new NpgsqlCommand("SELECT 1", victim);
        var terminated = await Record.ExceptionAsync(() => after.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        await using var wrong = db.Database.DataSource.CreateCommand("SELECT no_such_column FROM calls");
        var mistaken = await Record.ExceptionAsync(() => wrong.ExecuteScalarAsync(TestContext.Current.CancellationToken));

        Assert.NotNull(terminated);
        Assert.True(StorageErrors.IsUnavailable(terminated), terminated.ToString());
        Assert.IsType<PostgresException>(mistaken);
        Assert.False(StorageErrors.IsUnavailable(mistaken));
    }

    [Theory]
    [InlineData("57P01", true)] // admin shutdown
    [InlineData("57P03", true)] // cannot connect now (starting up)
    [InlineData("53300", true)] // too many connections
    [InlineData("08006", true)] // connection failure
    [InlineData("23505", false)] // unique violation: a bug or a race the store handles, not an outage
    [InlineData("42601", false)] // syntax error
    public void Maps_server_states_to_unavailable(string sqlState, bool unavailable) =>
        Assert.Equal(unavailable, StorageErrors.IsUnavailable(new PostgresException("message", "FATAL", "FATAL", sqlState)));
}
