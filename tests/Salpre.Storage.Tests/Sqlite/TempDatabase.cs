using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Salpre.Storage.Sqlite;

namespace Salpre.Storage.Tests.Sqlite;

/// <summary>A migrated SQLite file of its own in a temporary folder, with its stores.</summary>
public sealed class TempDatabase : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("salpre-storage-test-").FullName;

    private TempDatabase()
    {
        Path = System.IO.Path.Combine(_directory, "calls.db");
        Database = new SqliteDatabase(new StorageOptions { ConnectionString = $"Data Source={Path}" });
        Calls = new SqliteCallStore(Database);
        Accounts = new SqliteAccountStore(Database, Time);
    }

    public string Path { get; }
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    public SqliteDatabase Database { get; }
    public SqliteCallStore Calls { get; }
    public SqliteAccountStore Accounts { get; }

    public static async Task<TempDatabase> CreateAsync()
    {
        var database = new TempDatabase();
        await database.Database.MigrateAsync(CancellationToken.None);
        return database;
    }

    /// <summary>Adds accounts 1..count, for tests about calls (calls must belong to an account).</summary>
    public async Task<TempDatabase> WithAccountsAsync(int count)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        for (var id = 1; id <= count; id++)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO accounts (id, name, created_at) VALUES ({id}, 'account {id}', 0)";
            await command.ExecuteNonQueryAsync();
        }
        return this;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
