using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Salpre.Gateway.Admin;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>
/// A full disk, from the outside: the real gateway process serves a SQLite file on a small tmpfs that the test mounts
/// (as root) and fills. While it is full, every write answers 503 with Retry-After in the error envelope, never 500,
/// and reads keep answering; once space is freed, writes resume without a restart; every acknowledged write is there
/// at the end, nothing answered 503 was written, and the file passes <c>PRAGMA integrity_check</c>.
/// </summary>
[Trait("Storage", "SqliteOnly")]
public sealed class FullDiskTests : IAsyncLifetime
{
    private const string Serial = "FULL-DISK-BOX";
    private const int DiskMegabytes = 16;

    // What the filler leaves: more than the 4 MB at which SQLite checkpoints its WAL, so that checkpoints move pages
    // into the database file until it cannot grow, and then the WAL grows until it cannot either.
    private const long RoomLeft = 6 * 1024 * 1024;
    private static readonly string[] s_lifecycle = ["ringing", "in-progress", "completed"];

    private readonly string _directory = Directory.CreateTempSubdirectory("salpre-full-disk-").FullName;
    private GatewayProcess? _gateway;
    private bool _mounted;

    private string Disk => Path.Combine(_directory, "disk");
    private string Database => Path.Combine(Disk, "salpre.db");
    private string Filler => Path.Combine(Disk, "filler");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        // The process first (it holds the files open), then this process's pooled connections, then the mount.
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
        if (_mounted)
        {
            var unmounted = await Shell.RunAsync("umount", Disk);
            if (unmounted.Code != 0)
            {
                // Never leave a mount behind: detach it now, the kernel drops it once nothing holds it.
                await Shell.RunAsync("umount", "--lazy", Disk);
            }
        }
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_full_disk_answers_503_to_writes_keeps_reads_and_loses_nothing_and_writes_resume_once_space_is_freed()
    {
        await MountSmallDiskAsync();
        var (writeKey, ingestKey) = await ArrangeAccountAsync();
        _gateway = GatewayProcess.Start(_directory, new Dictionary<string, string>
        {
            ["Storage__ConnectionString"] = $"Data Source={Database}",
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
        var ledger = new Ledger();
        Assert.Equal(200, (await HeartbeatAsync(box)).Status);

        // 1. Leave little room, then write calls and their reports (the last with a long transcript) until refused.
        FillDiskLeaving(RoomLeft);
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
        var filesWhenFull = string.Join(", ", new[] { "", "-wal", "-shm" }.Select(suffix => $"{Path.GetFileName(Database)}{suffix} {new FileInfo(Database + suffix).Length / 1024} KB"));

        // 2. Full: for a while (the key usage flusher runs in between), every write is refused the same way, and
        // every read answers: lists (kept and fresh), details and logs of acknowledged calls, devices, readiness.
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
            reads += await AssertReadsAnswerAsync(writer, anonymous, ledger);
        }
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
            var logged = logs.Data.Select(e => e!["status"]!.GetValue<string>()).ToList();
            lost.AddRange(call.Reported.Where(status => !logged.Contains(status)).Select(status => $"{call.Id} {status}"));
            if (call.Reported.Contains("completed") && details.Json["data"]!["transcript"]?.GetValue<string>() != Transcript(call.Id))
            {
                lost.Add($"{call.Id} transcript");
            }
        }
        Assert.Empty(lost);
        Assert.Equal(ledger.Calls.Count, await ListTotalAsync(writer));
        Assert.Equal(0, phantoms);
        Assert.Equal(0, replays);
        Assert.Equal(ledger.Calls[^1].Id, (await writer.GetWireAsync("/api/gateway/v1/call/list?per_page=1")).CallIds.Single());

        // 5. It stops cleanly (its last flush of key usage succeeds), and the file is sound.
        Assert.Equal(0, await _gateway.StopAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("ok", IntegrityCheck());

        var sqliteErrors = string.Join(", ", System.Text.RegularExpressions.Regex.Matches(_gateway.Output, @"SQLite Error \d+: \\u0027[^\\]*")
            .GroupBy(match => match.Value.Replace("\\u0027", "'", StringComparison.Ordinal) + "'").Select(group => $"{group.Count()} x {group.Key}"));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"full disk ({DiskMegabytes} MB tmpfs, {RoomLeft / 1024} KB left by the filler): {acknowledgedBeforeFull} writes acknowledged before the first 503 " +
            $"(after {fullAfter.TotalMilliseconds:F0} ms; {filesWhenFull}); while full, {refusedWhileFull} writes answered 503 and {acknowledgedWhileFull} calls or reports and {heartbeatsTaken} heartbeats were taken, " +
            $"{reads} reads answered 200; after freeing space, {refusedAfterFreeing} more 503s and the first write taken after {timeToResume.TotalMilliseconds:F0} ms; " +
            $"{ledger.Calls.Count} calls and {ledger.Calls.Sum(c => c.Reported.Count)} reports acknowledged in all, none lost; " +
            $"{resent} refused make-calls re-sent with their keys, {replays} of them had been written; the gateway logged: {sqliteErrors}.");
    }

    private async Task MountSmallDiskAsync()
    {
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

    private static string Transcript(string callId)
    {
        var transcript = new StringBuilder(16 * 1024);
        for (var line = 0; transcript.Length < 16 * 1024; line++)
        {
            transcript.Append(CultureInfo.InvariantCulture, $"Agent: line {line} of {callId}, confirming the appointment.\nCustomer: Yes, that works for me.\n");
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

    private async Task<(string WriteKey, string IngestKey)> ArrangeAccountAsync()
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
        var account = await Run("accounts", "create", "--name", "full disk", "--json");
        var ingest = await Run("keys", "create", "--account", "1", "--scopes", "ingest", "--json");
        await Run("devices", "add", "--account", "1", "--serial", Serial, "--name", "full disk test");
        SqliteConnection.ClearAllPools();
        return (SecretOf(account), SecretOf(ingest));
    }

    private static string SecretOf(string json) => JsonNode.Parse(json)!["secret_key"]!.GetValue<string>();

    private static HttpClient Client(Uri address, string? key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("account-secret-key", key);
        }
        return client;
    }

    private string IntegrityCheck()
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)command.ExecuteScalar()!;
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
