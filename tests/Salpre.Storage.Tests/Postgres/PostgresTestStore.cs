using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Removal;
using Salpre.Storage.Devices;
using Salpre.Storage.Postgres;
using Salpre.Storage.Tests.Stores;
using Salpre.Storage.Webhooks;
using Salpre.Tests.Shared;

namespace Salpre.Storage.Tests.Postgres;

/// <summary>A fresh database on the run's PostgreSQL server, copied from the migrated template, with its stores.</summary>
public sealed class PostgresTestStore : TestStore, IStoreProvider
{
    private readonly PostgresServer _server;

    private PostgresTestStore(PostgresServer server, string connectionString)
    {
        _server = server;
        ConnectionString = connectionString;
        Database = new PostgresDatabase(new StorageOptions { Provider = "postgres", ConnectionString = connectionString });
        Calls = new PostgresCallStore(Database, Events);
        Webhooks = new PostgresWebhookStore(Database, Time);
        Accounts = new PostgresAccountStore(Database, Time);
        Devices = new PostgresDeviceStore(Database, Time, Events);
        Removal = new PostgresCallRemoval(Database, Events);
    }

    public string ConnectionString { get; }
    public PostgresDatabase Database { get; }
    public override IStorage Storage => Database;
    public override ICallStore Calls { get; }
    public override IAccountStore Accounts { get; }
    public override IDeviceStore Devices { get; }
    public override IWebhookStore Webhooks { get; }
    public override ICallRemoval Removal { get; }

    public static async Task<PostgresTestStore> CreateAsync()
    {
        var server = await PostgresServer.SharedAsync();
        return new PostgresTestStore(server, await server.CreateDatabaseAsync());
    }

    static async Task<TestStore> IStoreProvider.CreateAsync() => await CreateAsync();

    public override async Task ExecuteAsync(string sql)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public override async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Transaction ids are the cluster's: other tests' transactions may hold the feed's horizon for a moment.</summary>
    public override async Task SettleAsync()
    {
        var next = await ScalarAsync<long>("SELECT (pg_snapshot_xmax(pg_current_snapshot())::text)::bigint");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await ScalarAsync<long>("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint") < next && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        await _server.DropDatabaseAsync(ConnectionString);
    }
}
