using Microsoft.Data.Sqlite;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Removal;
using Salpre.Storage.Devices;
using Salpre.Storage.Sqlite;
using Salpre.Storage.Tests.Stores;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage.Tests.Sqlite;

/// <summary>A migrated SQLite file of its own in a temporary folder, with its stores.</summary>
public sealed class TempDatabase : TestStore, IStoreProvider
{
    private readonly string _directory = Directory.CreateTempSubdirectory("salpre-storage-test-").FullName;

    private TempDatabase()
    {
        Path = System.IO.Path.Combine(_directory, "calls.db");
        Database = new SqliteDatabase(new StorageOptions { ConnectionString = $"Data Source={Path}" });
        Calls = new SqliteCallStore(Database, Events);
        Webhooks = new SqliteWebhookStore(Database, Time);
        Accounts = new SqliteAccountStore(Database, Time);
        Devices = new SqliteDeviceStore(Database, Time, Events);
        Removal = new SqliteCallRemoval(Database, Events);
    }

    public string Path { get; }
    public SqliteDatabase Database { get; }
    public override IStorage Storage => Database;
    public override ICallStore Calls { get; }
    public override IAccountStore Accounts { get; }
    public override IDeviceStore Devices { get; }
    public override IWebhookStore Webhooks { get; }
    public override ICallRemoval Removal { get; }

    public static async Task<TempDatabase> CreateAsync()
    {
        var database = new TempDatabase();
        await database.Database.MigrateAsync(CancellationToken.None);
        return database;
    }

    static async Task<TestStore> IStoreProvider.CreateAsync() => await CreateAsync();

    public override async Task ExecuteAsync(string sql)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public override async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public override ValueTask DisposeAsync()
    {
        Database.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
