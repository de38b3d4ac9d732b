using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Salpre.Gateway.Admin;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Tests.Shared;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>
/// A full disk, from the outside: the real gateway process keeps its data on a small tmpfs that the test mounts (as
/// root) and fills. While it is full, every write it cannot keep answers 503 with Retry-After in the error envelope,
/// never 500, and reads keep answering; once space is freed, writes resume without a restart; every acknowledged
/// write is there at the end, nothing answered 503 was written, and the store passes its integrity check. On SQLite
/// the whole database (file, WAL, shared memory) is on the disk; on PostgreSQL the gateway's tables and indexes are
/// (a tablespace), while the server's write-ahead log stays on another disk: PostgreSQL stops (PANIC) when it cannot
/// write its log, which no gateway can answer for.
/// </summary>
public sealed class FullDiskTests : IAsyncLifetime
{
    private const string Serial = "FULL-DISK-BOX";
    private const int DiskMegabytes = 16;
    private static readonly string[] s_lifecycle = ["ringing", "in-progress", "completed"];

    private readonly string _directory = Directory.CreateTempSubdirectory("salpre-full-disk-").FullName;
    private GatewayProcess? _gateway;
    private PostgresServer? _postgres;
    private bool _mounted;

    private string Disk => Path.Combine(_directory, "disk");
    private string Filler => Path.Combine(Disk, "filler");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        // The processes first (they hold the files open), then this process's pooled connections, then the mount.
        try
        {
            if (_gateway is not null)
            {
                await _gateway.DisposeAsync();
            }
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            if (_postgres is not null)
            {
                await _postgres.DisposeAsync();
            }
        }
        finally
        {
            if (_mounted && (await Shell.RunAsync("umount", Disk)).Code != 0)
            {
                // Never leave a mount behind: detach it now, and the kernel drops it once nothing holds it.
                await Shell.RunAsync("umount", "--lazy", Disk);
            }
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>
    /// The SQLite file, its WAL and its shared memory on the disk. The filler leaves more than the 4 MB at which SQLite
    /// checkpoints its WAL, so that checkpoints move pages into the file until it cannot grow, then the WAL grows until
    /// it cannot either.
    /// </summary>
    [Fact]
    [Trait("Storage", "SqliteOnly")]
    public async Task On_SQLite_a_full_disk_answers_503_to_writes_keeps_reads_loses_nothing_and_writes_resume_once_space_is_freed()
    {
        await MountSmallDiskAsync();
        var database = Path.Combine(Disk, "salpre.db");
        await RunAsync(
            new Dictionary<string, string> { ["Storage:ConnectionString"] = $"Data Source={database}" },
            roomLeft: 6 * 1024 * 1024,
            describeDisk: () => string.Join(", ", new[] { "", "-wal", "-shm" }.Select(suffix =>
                $"{Path.GetFileName(database)}{suffix} {new FileInfo(database + suffix).Length / 1024} KB")),
            integrityCheck: () => Task.FromResult(SqliteIntegrityCheck(database)),
            faults: @"SQLite Error \d+: \\u0027[^\\]*\\u0027");
    }

    /// <summary>
    /// The gateway's tables and indexes in a tablespace on the disk, on a PostgreSQL server of the test's own (so it
    /// runs once, not again in the suite's PostgreSQL pass). A table or index that cannot grow fails its statement with
    /// 53100 (disk_full); the server and its log live on.
    /// </summary>
    [Fact]
    [Trait("Run", "Once")]
    public async Task On_PostgreSQL_a_full_tablespace_answers_503_to_writes_keeps_reads_loses_nothing_and_writes_resume_once_space_is_freed()
    {
        await MountSmallDiskAsync();
        _postgres = await PostgresServer.StartOwnAsync();
        var connectionString = await _postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var tablespace = await MoveTablesToTheDiskAsync(connectionString);
        await RunAsync(
            new Dictionary<string, string> { ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = connectionString },
            roomLeft: 512 * 1024,
            describeDisk: () => $"tablespace {Directory.EnumerateFiles(tablespace, "*", SearchOption.AllDirectories).Sum(file => new FileInfo(file).Length) / 1024} KB",
            integrityCheck: () => PostgresIntegrityCheckAsync(connectionString),
            faults: @"PostgresException \(0x[0-9A-F]+\): [0-9A-Z]{5}: [a-z ]+");
    }

    /// <summary>
    /// Fills the disk under the store with the gateway serving, and checks every answer until space is freed and every
    /// write is back. <paramref name="faults"/> picks the store's errors out of the gateway's log, for the figures.
    /// </summary>
    private async Task RunAsync(Dictionary<string, string> storage, long roomLeft, Func<string> describeDisk,
        Func<Task<string>> integrityCheck, string faults)
    {
        var (writeKey, ingestKey, readKey, readKeyId) = await ArrangeAccountAsync(storage);
        _gateway = GatewayProcess.Start(_directory, new Dictionary<string, string>(storage.Select(setting =>
            KeyValuePair.Create(setting.Key.Replace(":", "__", StringComparison.Ordinal), setting.Value)))
        {
            ["MakeCall__CallsPerSecond"] = "100000",
            ["MakeCall__Burst"] = "100000",
            ["RateLimiting__RequestsPerSecond"] = "100000",
            ["RateLimiting__Burst"] = "100000",
            // The keys' last-used times are written every second, so that a background write meets the full disk too.
            ["Authentication__UsageFlushInterval"] = "00:00:01",
        }, "--urls", "http://127.0.0.1:0");
        var address = await _gateway.WaitForAddressAsync(TimeSpan.FromSeconds(60));
        using var writer = Client(address, writeKey);
        using var box = Client(address, ingestKey);
        using var anonymous = Client(address, null);
        using var reader = Client(address, readKey);   // used only while the disk is full
        var ledger = new Ledger();
        Assert.Equal(200, (await HeartbeatAsync(box)).Status);
        // A call whose reports wait for the disk to be full, so that reports meet it whatever write met it first.
        Assert.NotNull(await MakeCallAsync(writer, ledger));

        // 1. Leave little room, then write calls and their reports (the last with a long transcript) until refused.
        FillDiskLeaving(roomLeft);
        var filling = Stopwatch.StartNew();
        while (ledger.Refused == 0)
        {
            Assert.True(filling.Elapsed < TimeSpan.FromSeconds(20) && ledger.Calls.Count < 2000,
                $"The disk never filled: {ledger.Calls.Count} calls acknowledged in {filling.Elapsed}, {FreeBytes()} bytes free.");
            var call = await MakeCallAsync(writer, ledger);
            foreach (var _ in s_lifecycle)
            {
                if (call is null || !await ReportNextAsync(box, ledger, call))
                {
                    break;
                }
            }
        }
        var acknowledgedBeforeFull = ledger.Acknowledged;
        var fullAfter = filling.Elapsed;
        var diskWhenFull = describeDisk();

        // 2. Full: for a while (the key usage flusher runs in between), every write that does not fit is refused the
        // same way, and every read answers: lists (kept and fresh), details and logs of acknowledged calls, devices,
        // readiness.
        var full = Stopwatch.StartNew();
        var reads = 0;
        var heartbeatsTaken = 0;   // a write small enough for what a refused one left allocated may still fit
        var cachedPage = await writer.GetWireAsync("/api/gateway/v1/call/list?per_page=1");
        while (full.Elapsed < TimeSpan.FromSeconds(2.5) || ledger.Refused < 10)
        {
            Assert.True(full.Elapsed < TimeSpan.FromSeconds(20), $"Too few writes refused while full: {ledger.Refused}.");
            await MakeCallAsync(writer, ledger);
            if (ledger.Calls.FirstOrDefault(c => c.Reported.Count < s_lifecycle.Length) is { } open)
            {
                await ReportNextAsync(box, ledger, open);
            }
            var beat = await HeartbeatAsync(box);
            if (beat.Status == 200)
            {
                heartbeatsTaken++;
            }
            else
            {
                AssertUnavailable(beat, "heartbeat");
                ledger.Refused++;
            }
            reads += await AssertReadsAnswerAsync(reader, anonymous, ledger);
        }
        // The read key's last use, and a flush of key usage (every second) that meets the full disk after it.
        var lastRead = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        reads += await AssertReadsAnswerAsync(reader, anonymous, ledger);
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
        var refusedWhileFull = ledger.Refused;
        var acknowledgedWhileFull = ledger.Acknowledged - acknowledgedBeforeFull;
        Assert.Equal(200, cachedPage.Status);
        Assert.Null(_gateway.ExitCode);

        // 3. Space is freed (as an operator would delete a file): writes resume in the same process.
        File.Delete(Filler);
        var resuming = Stopwatch.StartNew();
        Call? resumed = null;
        while (resumed is null)
        {
            Assert.True(resuming.Elapsed < TimeSpan.FromSeconds(10), $"Writes did not resume within 10 s of freeing space ({FreeBytes()} bytes free).");
            resumed = await MakeCallAsync(writer, ledger);
            if (resumed is null)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
        }
        var timeToResume = resuming.Elapsed;
        var refusedAfterFreeing = ledger.Refused - refusedWhileFull;

        // Everything left undone is done now, and must be taken at once.
        var phantoms = await ListTotalAsync(writer) - ledger.Calls.Count;
        foreach (var call in ledger.Calls.ToList())
        {
            while (call.Reported.Count < s_lifecycle.Length)
            {
                Assert.True(await ReportNextAsync(box, ledger, call), $"A report for {call.Id} was refused after space was freed.");
            }
        }
        var replays = 0;
        var resent = ledger.RefusedCallKeys.Count;
        foreach (var key in ledger.RefusedCallKeys.ToList())
        {
            var call = await MakeCallAsync(writer, ledger, key);
            Assert.NotNull(call);
            replays += call.Replayed ? 1 : 0;
        }
        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(await MakeCallAsync(writer, ledger));
        }

        // 4. Every acknowledged call and report is there, the kept list page moved on, and nothing refused was written.
        var lost = new List<string>();
        foreach (var call in ledger.Calls)
        {
            var details = await writer.GetWireAsync($"/api/gateway/v1/call/{call.Id}");
            var logs = await writer.GetWireAsync($"/api/gateway/v1/call/{call.Id}/logs");
            if (details.Status != 200 || logs.Status != 200)
            {
                lost.Add($"{call.Id} ({details.Status})");
                continue;
            }
            // Its log is exactly what was acknowledged, in order, and so is its state, with the transcript if it ended.
            var logged = string.Join(" ", logs.Data.Select(e => e!["status"]!.GetValue<string>()));
            if (logged != string.Join(" ", ["initiated", .. call.Reported]))
            {
                lost.Add($"{call.Id} logged {logged}");
            }
            var data = details.Json["data"]!;
            if (data["status"]!.GetValue<string>() != (call.Reported.LastOrDefault() ?? "initiated")
                || call.Reported.Contains("completed") && data["transcript"]?.GetValue<string>() != Transcript(call.Id))
            {
                lost.Add($"{call.Id} state");
            }
        }
        Assert.Empty(lost);
        Assert.Equal(ledger.Calls.Count, await ListTotalAsync(writer));
        Assert.Equal(0, phantoms);
        Assert.Equal(0, replays);
        Assert.Equal(ledger.Calls[^1].Id, (await writer.GetWireAsync("/api/gateway/v1/call/list?per_page=1")).CallIds.Single());

        // 5. It stops cleanly (its last flush of key usage succeeds), and the file is sound.
        Assert.Equal(0, await _gateway.StopAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("ok", await integrityCheck());
        // When the read key was last used is recorded, though the flushes while full failed.
        var keys = (await AdminAsync(storage, "keys", "list", "--account", "1", "--json"))["keys"]!.AsArray();
        var readKeyUsed = keys.Single(key => key!["key_id"]!.GetValue<long>() == readKeyId)!["last_used_at"]?.GetValue<string>();
        Assert.True(readKeyUsed is not null && DateTimeOffset.Parse(readKeyUsed, CultureInfo.InvariantCulture).ToUnixTimeSeconds() >= lastRead,
            $"The read key was last used at {lastRead} (Unix seconds), while the disk was full; recorded: {readKeyUsed ?? "never"}.");

        var storeFaults = string.Join(", ", System.Text.RegularExpressions.Regex.Matches(_gateway.Output, faults)
            .GroupBy(match => match.Value.Replace("\\u0027", "'", StringComparison.Ordinal).Trim()).Select(group => $"{group.Count()} x {group.Key}"));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"full disk ({DiskMegabytes} MB tmpfs, {roomLeft / 1024} KB left by the filler): {acknowledgedBeforeFull} writes acknowledged before the first 503 " +
            $"(after {fullAfter.TotalMilliseconds:F0} ms; {diskWhenFull}); while full, {refusedWhileFull} writes answered 503 and {acknowledgedWhileFull} calls or reports and {heartbeatsTaken} heartbeats were taken, " +
            $"{reads} reads answered 200; after freeing space, {refusedAfterFreeing} more 503s and the first write taken after {timeToResume.TotalMilliseconds:F0} ms; " +
            $"{ledger.Calls.Count} calls and {ledger.Calls.Sum(c => c.Reported.Count)} reports acknowledged in all, none lost; " +
            $"{resent} refused make-calls re-sent with their keys, {replays} of them had been written; the gateway logged: {storeFaults}; " +
            $"key usage not recorded {System.Text.RegularExpressions.Regex.Count(_gateway.Output, "\"Message\":\"Could not record when keys were last used")} times.");
    }

    private async Task MountSmallDiskAsync()
    {
        // PostgreSQL runs as its own user, which must reach its tablespace through the test's folder.
        Assert.Equal(0, (await Shell.RunAsync("chmod", "755", _directory)).Code);
        Directory.CreateDirectory(Disk);
        var mounted = await Shell.RunAsync("mount", "-t", "tmpfs", "-o", $"size={DiskMegabytes}m,mode=0755", "tmpfs", Disk);
        Assert.True(mounted.Code == 0,
            $"This test fills a {DiskMegabytes} MB tmpfs that it mounts itself, which needs root (CI runs as root) and tmpfs; " +
            $"'mount -t tmpfs' failed: {mounted.Error.Trim()}");
        _mounted = true;
    }

    private void FillDiskLeaving(long room)
    {
        var size = FreeBytes() - room;
        Assert.True(size > 0, $"The disk has only {FreeBytes()} bytes free before the filler.");
        var chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(chunk);
        using var filler = new FileStream(Filler, FileMode.CreateNew, FileAccess.Write);
        for (long written = 0; written < size; written += chunk.Length)
        {
            filler.Write(chunk, 0, (int)Math.Min(chunk.Length, size - written));
        }
    }

    private long FreeBytes() => new DriveInfo(Disk).AvailableFreeSpace;

    /// <summary>A new call (or, with the key of a refused one, that call again); null when refused as unavailable.</summary>
    private async Task<Call?> MakeCallAsync(HttpClient writer, Ledger ledger, string? key = null)
    {
        key ??= Guid.NewGuid().ToString("N");
        var made = await writer.MakeCallAsync(Serial, idempotencyKey: key);
        if (made.Status != 200)
        {
            AssertUnavailable(made, "make-call");
            ledger.Refused++;
            ledger.RefusedCallKeys.Add(key);
            return null;
        }
        ledger.RefusedCallKeys.Remove(key);
        var call = new Call(made.Json["data"]!["call_id"]!.GetValue<string>(), made.Header("Idempotent-Replayed") == "true");
        ledger.Calls.Add(call);
        ledger.Acknowledged++;
        return call;
    }

    /// <summary>The call's next report (the final one with a long transcript and variables); false when refused.</summary>
    private async Task<bool> ReportNextAsync(HttpClient box, Ledger ledger, Call call)
    {
        var status = s_lifecycle[call.Reported.Count];
        var body = new JsonObject { ["status"] = status, ["detail"] = $"full disk test {status}" };
        if (status == "completed")
        {
            body["audio_record_url"] = $"https://recordings.example.com/{call.Id}.mp3";
            body["transcript"] = Transcript(call.Id);
            body["variables"] = new JsonObject { ["outcome"] = "confirmed", ["notes"] = new string('n', 2000) };
        }
        var reported = await box.PostJsonAsync($"/api/gateway/v1/call/{call.Id}/events", body.ToJsonString());
        if (reported.Status != 200)
        {
            AssertUnavailable(reported, $"report {status} of {call.Id}");
            ledger.Refused++;
            return false;
        }
        call.Reported.Add(status);
        ledger.Acknowledged++;
        return true;
    }

    /// <summary>16 KB of the call's own words, which no store can compress much (PostgreSQL compresses long text).</summary>
    private static string Transcript(string callId)
    {
        var words = new Random(int.Parse(callId[1..], CultureInfo.InvariantCulture));
        var transcript = new StringBuilder(16 * 1024 + 64);
        while (transcript.Length < 16 * 1024)
        {
            transcript.Append(transcript.Length % 200 == 0 ? "\nAgent:" : " ");
            for (var letters = words.Next(2, 9); letters > 0; letters--)
            {
                transcript.Append((char)('a' + words.Next(26)));
            }
        }
        return transcript.ToString();
    }

    private static Task<WireResponse> HeartbeatAsync(HttpClient box) =>
        box.PostJsonAsync("/api/gateway/v1/salprebox/heartbeat", $$"""{"serial_no":"{{Serial}}","battery_level":80}""");

    /// <summary>Reads while the disk is full: each must answer 200. Returns how many were made.</summary>
    private async Task<int> AssertReadsAnswerAsync(HttpClient reader, HttpClient anonymous, Ledger ledger)
    {
        var paths = new List<(HttpClient Client, string Path, string? CacheControl)>
        {
            (reader, "/api/gateway/v1/call/list?per_page=5", null),
            (reader, "/api/gateway/v1/call/list?per_page=100&include_total=true", "no-cache"),
            (reader, "/api/gateway/v1/salprebox/device-list", null),
            (anonymous, "/readyz", null),
            (anonymous, "/healthz", null),
        };
        foreach (var call in ledger.Calls.TakeLast(3))
        {
            paths.Add((reader, $"/api/gateway/v1/call/{call.Id}", null));
            paths.Add((reader, $"/api/gateway/v1/call/{call.Id}/logs", null));
        }
        foreach (var (client, path, cacheControl) in paths)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (cacheControl is not null)
            {
                request.Headers.CacheControl = System.Net.Http.Headers.CacheControlHeaderValue.Parse(cacheControl);
            }
            var answer = await client.SendWireAsync(request);
            Assert.True(answer.Status == 200, $"GET {path} answered {answer.Status} while the disk was full: {answer.Body}\n{GatewayTail()}");
            if (path.Contains("include_total", StringComparison.Ordinal))
            {
                // Nothing acknowledged is missing, nothing refused is there.
                Assert.Equal(ledger.Calls.Count, answer.Meta["total"]!.GetValue<long>());
            }
        }
        return paths.Count;
    }

    private static async Task<long> ListTotalAsync(HttpClient reader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/gateway/v1/call/list?per_page=1&include_total=true");
        request.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        var answer = await reader.SendWireAsync(request);
        Assert.Equal(200, answer.Status);
        return answer.Meta["total"]!.GetValue<long>();
    }

    /// <summary>A refused write: 503, Retry-After, and the whole error envelope with code unavailable.</summary>
    private void AssertUnavailable(WireResponse answer, string what)
    {
        Assert.True(answer.Status == 503, $"{what} answered {answer.Status}, not 503, on a full disk: {answer.Body}\n{GatewayTail()}");
        Assert.True(int.TryParse(answer.Header("Retry-After"), CultureInfo.InvariantCulture, out var seconds) && seconds > 0,
            $"{what}: 503 without a Retry-After of whole seconds ({answer.Header("Retry-After") ?? "none"}).");
        Assert.StartsWith("application/json", answer.Message.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.True(WireExtensions.IsEnvelope(answer.Body), $"{what}: not the error envelope: {answer.Body}");
        var json = answer.Json;
        Assert.Equal("error", json["status"]!.GetValue<string>());
        Assert.Equal("unavailable", json["code"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(json["request_id"]?.GetValue<string>()));
        Assert.DoesNotContain("SQLite", answer.Body, StringComparison.OrdinalIgnoreCase);
    }

    private string GatewayTail()
    {
        var output = _gateway?.Output ?? "";
        return output.Length > 4000 ? output[^4000..] : output;
    }

    /// <summary>
    /// Moves the database's own tables and indexes (not the system catalogs) into a tablespace on the disk, where they
    /// are the only things PostgreSQL writes. Returns the tablespace's folder.
    /// </summary>
    private async Task<string> MoveTablesToTheDiskAsync(string connectionString)
    {
        var tablespace = Directory.CreateDirectory(Path.Combine(Disk, "tablespace")).FullName;
        var owned = await Shell.RunAsync("chown", "postgres:", tablespace);
        Assert.True(owned.Code == 0, owned.Error);
        await using (var server = new NpgsqlConnection(_postgres!.ConnectionString("postgres") + ";Pooling=false"))
        {
            await server.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand($"CREATE TABLESPACE full_disk LOCATION '{tablespace}'", server);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        await using var database = new NpgsqlConnection(connectionString + ";Pooling=false");
        await database.OpenAsync(TestContext.Current.CancellationToken);
        await using var move = new NpgsqlCommand(
            "ALTER TABLE ALL IN TABLESPACE pg_default SET TABLESPACE full_disk; " +
            "ALTER INDEX ALL IN TABLESPACE pg_default SET TABLESPACE full_disk;", database);
        await move.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return tablespace;
    }

    /// <summary>The account, its keys (read,write; ingest; read only) and its box, made with admin commands.</summary>
    private static async Task<(string WriteKey, string IngestKey, string ReadKey, long ReadKeyId)> ArrangeAccountAsync(Dictionary<string, string> storage)
    {
        var account = await AdminAsync(storage, "accounts", "create", "--name", "full disk", "--json");
        var ingest = await AdminAsync(storage, "keys", "create", "--account", "1", "--scopes", "ingest", "--json");
        var read = await AdminAsync(storage, "keys", "create", "--account", "1", "--scopes", "read", "--json");
        await AdminAsync(storage, "devices", "add", "--account", "1", "--serial", Serial, "--name", "full disk test", "--json");
        return (SecretOf(account), SecretOf(ingest), SecretOf(read), read["key_id"]!.GetValue<long>());
    }

    /// <summary>Runs an admin command on the store, as an operator would; returns its last line's JSON.</summary>
    private static async Task<JsonNode> AdminAsync(Dictionary<string, string> storage, params string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(storage.Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value)))
            .Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AdminCommands.RunAsync(args, configuration, output, error, TestContext.Current.CancellationToken);
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        Assert.True(code == 0, error.ToString());
        return JsonNode.Parse(output.ToString().TrimEnd().Split('\n')[^1])!;
    }

    private static string SecretOf(JsonNode json) => json["secret_key"]!.GetValue<string>();
    private static HttpClient Client(Uri address, string? key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("account-secret-key", key);
        }
        return client;
    }

    private static string SqliteIntegrityCheck(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)command.ExecuteScalar()!;
    }

    /// <summary>amcheck: every B-tree index of the gateway's tables checked against its table, and every table's heap.</summary>
    private static async Task<string> PostgresIntegrityCheckAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            "CREATE EXTENSION IF NOT EXISTS amcheck; " +
            "SELECT count(bt_index_check(c.oid, true)::text) FROM pg_class c JOIN pg_am a ON a.oid = c.relam " +
            "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'i' AND a.amname = 'btree'; " +
            "SELECT string_agg(c.relname || ' block ' || v.blkno || ': ' || v.msg, '; ') FROM pg_class c, verify_heapam(c.oid) v " +
            "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r';", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        await reader.NextResultAsync(TestContext.Current.CancellationToken);   // the indexes: a fault raises an error
        await reader.ReadAsync(TestContext.Current.CancellationToken);
        return reader.IsDBNull(0) ? "ok" : reader.GetString(0);
    }

    private sealed record Call(string Id, bool Replayed)
    {
        public List<string> Reported { get; } = [];
    }

    private sealed class Ledger
    {
        public List<Call> Calls { get; } = [];
        public HashSet<string> RefusedCallKeys { get; } = [];
        public int Acknowledged { get; set; }
        public int Refused { get; set; }
    }
}
