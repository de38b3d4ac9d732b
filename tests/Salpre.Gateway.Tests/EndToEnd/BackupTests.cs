using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Salpre.Gateway.Admin;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Tests.Shared;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>
/// <c>backup --to</c> as an operator runs it: the admin command in a process of its own, beside a gateway process
/// serving the same SQLite file under load. The copy must be sound, must serve, and must hold every call and report
/// acknowledged before the backup began; the load must not notice it.
/// </summary>
public sealed class BackupTests : IAsyncLifetime
{
    private const string Serial = "BACKUP-TEST-BOX";
    private readonly string _directory = Directory.CreateTempSubdirectory("salpre-backup-").FullName;

    private string Database => Path.Combine(_directory, "salpre.db");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    [Trait("Storage", "SqliteOnly")]
    public async Task A_backup_under_load_holds_every_acknowledged_write_and_serves_while_the_load_goes_on()
    {
        var (writeKey, ingestKey) = await ArrangeAccountAsync(importedCalls: 20_000);
        await using var gateway = StartGateway(Database);
        var address = await gateway.WaitForAddressAsync(TimeSpan.FromSeconds(60));
        await HeartbeatAsync(address, ingestKey);
        var load = new Load();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() => load.RunAsync(address, writeKey, ingestKey, stop.Token))).ToList();
        await load.WaitForCallsAsync(100, TimeSpan.FromSeconds(60));

        var before = load.Acknowledged();
        var copy = Path.Combine(_directory, "copy.db");
        var backup = await AdminAsync(Database, "backup", "--to", copy, "--json");
        var callsDuringBackup = load.Calls - before.Calls.Count;
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.True(backup.Code == 0, backup.Output + backup.Error);
        var json = JsonNode.Parse(backup.Output.TrimEnd().Split('\n')[^1])!;
        Assert.Equal(copy, json["path"]!.GetValue<string>());
        Assert.Equal(new FileInfo(copy).Length, json["bytes"]!.GetValue<long>());
        Assert.True(json["seconds"]!.GetValue<double>() >= 0);
        Assert.StartsWith($"Backed up {Database} to {copy}: ", backup.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(copy + ".partial"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy));
        }
        Assert.Empty(load.Errors);
        Assert.True(callsDuringBackup > 0, "the load stopped while the backup ran");
        Assert.Equal("ok", Scalar<string>(copy, "PRAGMA integrity_check"));

        // Restore is starting a gateway on the copy: it serves every call and report acknowledged before the backup began.
        await using var restored = StartGateway(copy);
        var restoredAddress = await restored.WaitForAddressAsync(TimeSpan.FromSeconds(60));
        using var reader = Client(restoredAddress, writeKey);
        var missing = new List<string>();
        foreach (var callId in before.Calls)
        {
            var details = await reader.GetWireAsync($"/api/gateway/v1/call/{callId}");
            var expected = before.Ringing.Contains(callId) ? "ringing" : null;
            if (details.Status != 200 || (expected is not null && details.Json["data"]!["status"]!.GetValue<string>() != expected))
            {
                missing.Add($"{callId}: {details.Status} {details.Body}");
            }
        }
        var total = (await reader.GetWireAsync("/api/gateway/v1/call/list?include_total=true")).Meta["total"]!.GetValue<long>();
        Assert.Equal(0, await restored.StopAsync(TimeSpan.FromSeconds(20)));

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{before.Calls.Count} calls ({before.Ringing.Count} reported ringing) acknowledged before the backup, {callsDuringBackup} while it ran; " +
            $"copy: {json["bytes"]} bytes, {total} calls, in {json["seconds"]} s");
        Assert.Empty(missing);
        Assert.True(total >= 20_000 + before.Calls.Count, $"the copy holds {total} calls");
    }

    [Fact]
    [Trait("Storage", "SqliteOnly")]
    public async Task The_copy_holds_writes_the_serving_gateway_has_only_in_its_write_ahead_log()
    {
        var (writeKey, ingestKey) = await ArrangeAccountAsync(importedCalls: 0);
        await using var gateway = StartGateway(Database);
        var address = await gateway.WaitForAddressAsync(TimeSpan.FromSeconds(60));
        await HeartbeatAsync(address, ingestKey);
        using var writer = Client(address, writeKey);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await writer.MakeCallAsync(Serial)).Status);
        }
        var fileAlone = Path.Combine(_directory, "file-alone.db");
        File.Copy(Database, fileAlone);
        var copy = Path.Combine(_directory, "copy.db");

        var backup = await AdminAsync(Database, "backup", "--to", copy);

        Assert.True(backup.Code == 0, backup.Output + backup.Error);
        // The calls are in the log only (a copy of the file alone lacks them), else this test would prove nothing.
        Assert.True(Scalar<long>(fileAlone, "SELECT count(*) FROM calls") < 5, "the gateway checkpointed its log early; run the test again");
        Assert.Equal(5, Scalar<long>(copy, "SELECT count(*) FROM calls"));
    }

    [Fact]
    [Trait("Storage", "SqliteOnly")]
    public async Task Refuses_an_existing_path_or_a_missing_folder_and_leaves_no_partial_file()
    {
        await ArrangeAccountAsync(importedCalls: 0);
        var existing = Path.Combine(_directory, "existing.db");
        await File.WriteAllTextAsync(existing, "an earlier backup", TestContext.Current.CancellationToken);
        var missingFolder = Path.Combine(_directory, "nowhere", "copy.db");
        var notADatabase = Path.Combine(_directory, "notes.txt");
        await File.WriteAllTextAsync(notADatabase, new string('x', 4096), TestContext.Current.CancellationToken);
        var fromGarbage = Path.Combine(_directory, "garbage-copy.db");

        var onExisting = await AdminAsync(Database, "backup", "--to", existing, "--json");
        var inMissingFolder = await AdminAsync(Database, "backup", "--to", missingFolder);
        var ofNotADatabase = await AdminAsync(notADatabase, "backup", "--to", fromGarbage);

        Assert.Equal(1, onExisting.Code);
        Assert.Contains($"{existing} already exists", onExisting.Error, StringComparison.Ordinal);
        Assert.Empty(onExisting.Output);
        Assert.Equal("an earlier backup", await File.ReadAllTextAsync(existing, TestContext.Current.CancellationToken));
        Assert.Equal(1, inMissingFolder.Code);
        Assert.Contains("does not exist", inMissingFolder.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(missingFolder)));
        // A copy that fails half way (here: the source is no database) takes its partial file with it.
        Assert.Equal(1, ofNotADatabase.Code);
        Assert.Contains("No backup was made", ofNotADatabase.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(fromGarbage));
        Assert.Empty(Directory.GetFiles(_directory, "*.partial"));
        Assert.DoesNotContain("   at ", onExisting.Error + inMissingFolder.Error + ofNotADatabase.Error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Run", "Once")]
    public async Task On_postgres_names_pg_dump_and_exits_1_writing_nothing()
    {
        var server = await PostgresServer.SharedAsync();
        var database = await server.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        try
        {
            var copy = Path.Combine(_directory, "copy.db");

            var run = await Shell.RunAsync("env", ["Storage__Provider=postgres", $"Storage__ConnectionString={database}",
                "dotnet", GatewayProcess.GatewayDll(), "backup", "--to", copy, "--json"]);

            Assert.Equal(1, run.Code);
            Assert.Equal(
                "PostgreSQL is backed up with its own tools, not this command: pg_dump --format=custom --file=salpre.dump \"$DATABASE_URL\" " +
                "(logical; restore with pg_restore), or pg_basebackup (physical, for point-in-time recovery). No backup was made.",
                run.Error.TrimEnd());
            Assert.Empty(run.Output);
            Assert.Empty(Directory.GetFileSystemEntries(_directory));
        }
        finally
        {
            await server.DropDatabaseAsync(database);
        }
    }

    /// <summary>An account with a write key, an ingest key and a box, and <paramref name="importedCalls"/> calls of history.</summary>
    private async Task<(string WriteKey, string IngestKey)> ArrangeAccountAsync(int importedCalls)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:ConnectionString"] = $"Data Source={Database}" })
            .Build();
        async Task<string> Run(params string[] args)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await AdminCommands.RunAsync(args, configuration, output, error, TestContext.Current.CancellationToken);
            Assert.True(code == 0, error.ToString());
            return output.ToString().TrimEnd().Split('\n')[^1];
        }
        var account = await Run("accounts", "create", "--name", "backup", "--json");
        var ingest = await Run("keys", "create", "--account", "1", "--scopes", "ingest", "--json");
        await Run("devices", "add", "--account", "1", "--serial", Serial, "--name", "backup test");
        if (importedCalls > 0)
        {
            var history = Path.Combine(_directory, "history.ndjson");
            var lines = new StringBuilder();
            for (var i = 0; i < importedCalls; i++)
            {
                lines.Append($$"""{"status":"completed","from":"salprebox:{{Serial}}","to":"+905321234567","agent_id":5,"direction":"outbound","started_at":"2025-10-01T10:00:00Z","ended_at":"2025-10-01T10:01:00Z","duration_sec":60,"transcript":"Agent: Hello, this is call {{i}}."}""").Append('\n');
            }
            await File.WriteAllTextAsync(history, lines.ToString(), TestContext.Current.CancellationToken);
            await Run("import", "--account", "1", "--file", history);
            File.Delete(history);
        }
        SqliteConnection.ClearAllPools();
        return (SecretOf(account), SecretOf(ingest));
    }

    private static string SecretOf(string json) => JsonNode.Parse(json)!["secret_key"]!.GetValue<string>();

    /// <summary>An admin command in its own process, on the SQLite file <paramref name="database"/>.</summary>
    private static Task<(int Code, string Output, string Error)> AdminAsync(string database, params string[] args) =>
        Shell.RunAsync("env", [$"Storage__ConnectionString=Data Source={database}", "dotnet", GatewayProcess.GatewayDll(), .. args]);

    private GatewayProcess StartGateway(string database) => GatewayProcess.StartUnlimited(_directory, database);

    private static HttpClient Client(Uri address, string key) => GatewayProcess.KeyClient(address, key, TimeSpan.FromSeconds(30));

    private static Task HeartbeatAsync(Uri address, string ingestKey) => GatewayProcess.HeartbeatAsync(address, ingestKey, Serial);

    private static T Scalar<T>(string database, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    /// <summary>Make-calls, each followed by a ringing report, from several workers; what was acknowledged, and any error.</summary>
    private sealed class Load
    {
        private readonly ConcurrentQueue<string> _calls = new();
        private readonly ConcurrentDictionary<string, byte> _ringing = new();

        public ConcurrentQueue<string> Errors { get; } = new();

        public int Calls => _calls.Count;

        /// <summary>The calls and ringing reports acknowledged so far: each call id is queued after its 200 arrived.</summary>
        public (IReadOnlyList<string> Calls, IReadOnlySet<string> Ringing) Acknowledged()
        {
            // Reports first: a report acknowledged now belongs to a call acknowledged before it.
            var ringing = _ringing.Keys.ToHashSet();
            return ([.. _calls], ringing);
        }

        public async Task WaitForCallsAsync(int count, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Calls < count && Errors.IsEmpty)
            {
                Assert.True(DateTime.UtcNow < deadline, $"only {Calls} calls acknowledged in {timeout}");
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
            Assert.Empty(Errors);
        }

        /// <summary>
        /// Runs until <paramref name="stop"/> (a request in flight then still completes and is checked), or until its
        /// first error.
        /// </summary>
        public async Task RunAsync(Uri address, string writeKey, string ingestKey, CancellationToken stop)
        {
            using var writer = Client(address, writeKey);
            using var box = Client(address, ingestKey);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var made = await writer.MakeCallAsync(Serial);
                    if (made.Status != 200)
                    {
                        Errors.Enqueue($"make-call: {made.Status} {made.Body}");
                        return;
                    }
                    var callId = made.Json["data"]!["call_id"]!.GetValue<string>();
                    _calls.Enqueue(callId);
                    var reported = await box.PostJsonAsync($"/api/gateway/v1/call/{callId}/events", """{"status":"ringing"}""");
                    if (reported.Status != 200)
                    {
                        Errors.Enqueue($"report on {callId}: {reported.Status} {reported.Body}");
                        return;
                    }
                    _ringing[callId] = 0;
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    Errors.Enqueue(exception.Message);
                    return;
                }
            }
        }
    }
}
