using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Salpre.Gateway.Admin;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>
/// Durability from the outside: the real gateway process takes make-calls and status reports at load and is killed
/// with SIGKILL mid-load, again and again. Every acknowledged call and report must be there afterwards, and
/// re-sending the unacknowledged make-calls with their idempotency keys must create no duplicate.
/// </summary>
[Trait("Storage", "SqliteOnly")]
public sealed class DurabilityTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("salpre-kill-").FullName;

    private string Database => Path.Combine(_directory, "salpre.db");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Every_acknowledged_write_survives_repeated_kill_9_and_retries_create_no_duplicates()
    {
        var cycles = int.TryParse(Environment.GetEnvironmentVariable("SALPRE_KILL_CYCLES"), CultureInfo.InvariantCulture, out var n) ? n : 4;
        var (writeKey, ingestKey) = await ArrangeAccountAsync();
        var acknowledgedCalls = new ConcurrentDictionary<string, string>();   // idempotency key → call id
        var acknowledgedEvents = new ConcurrentBag<(string CallId, string Status)>();
        var unacknowledged = new ConcurrentDictionary<string, byte>();       // idempotency keys to send again
        var random = new Random(7);

        for (var cycle = 0; cycle < cycles; cycle++)
        {
            await using var gateway = StartGateway();
            var address = await gateway.WaitForAddressAsync(TimeSpan.FromSeconds(60));
            await HeartbeatAsync(address, ingestKey);
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() => WorkAsync(address, writeKey, ingestKey, acknowledgedCalls, acknowledgedEvents, unacknowledged, stop.Token))).ToList();
            await Task.Delay(400 + random.Next(800), TestContext.Current.CancellationToken);
            await gateway.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        // After the last crash: send what was never acknowledged again, with the same idempotency keys.
        await using var last = StartGateway();
        var final = await last.WaitForAddressAsync(TimeSpan.FromSeconds(60));
        await HeartbeatAsync(final, ingestKey);
        using var writer = Client(final, writeKey);
        var resentReplays = 0;
        foreach (var key in unacknowledged.Keys)
        {
            var answer = await writer.MakeCallAsync(Serial, idempotencyKey: key);
            Assert.Equal(200, answer.Status);
            acknowledgedCalls[key] = answer.Json["data"]!["call_id"]!.GetValue<string>();
            resentReplays += answer.Header("Idempotent-Replayed") == "true" ? 1 : 0;
        }

        var total = (await writer.GetWireAsync("/api/gateway/v1/call/list?include_total=true")).Meta["total"]!.GetValue<long>();
        var lostCalls = 0;
        foreach (var callId in acknowledgedCalls.Values)
        {
            lostCalls += (await writer.GetWireAsync($"/api/gateway/v1/call/{callId}")).Status == 200 ? 0 : 1;
        }
        var lostEvents = 0;
        foreach (var group in acknowledgedEvents.GroupBy(e => e.CallId))
        {
            var logged = (await writer.GetWireAsync($"/api/gateway/v1/call/{group.Key}/logs")).Data.Select(e => e!["status"]!.GetValue<string>()).ToHashSet();
            lostEvents += group.Count(e => !logged.Contains(e.Status));
        }
        Assert.Equal(0, await last.StopAsync(TimeSpan.FromSeconds(20)));

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"kill -9 cycles: {cycles}; acknowledged make-calls: {acknowledgedCalls.Count} ({unacknowledged.Count} re-sent, {resentReplays} of them had been written); " +
            $"acknowledged events: {acknowledgedEvents.Count}; lost calls: {lostCalls}; lost events: {lostEvents}; calls stored: {total}");
        Assert.True(acknowledgedCalls.Count > cycles * 5, $"too little load to mean anything: {acknowledgedCalls.Count} calls");
        Assert.Equal(0, lostCalls);
        Assert.Equal(0, lostEvents);
        Assert.Equal(acknowledgedCalls.Count, total); // one call per idempotency key, no more
        Assert.Equal(acknowledgedCalls.Count, acknowledgedCalls.Values.Distinct().Count());
        Assert.Equal("ok", IntegrityCheck());
        Assert.Empty(await RollupDrift.FindAsync(new SqliteConnection($"Data Source={Database};Pooling=False")));
    }

    private const string Serial = "KILL-TEST-BOX";

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
        var account = await Run("accounts", "create", "--name", "durability", "--json");
        var ingest = await Run("keys", "create", "--account", "1", "--scopes", "ingest", "--json");
        await Run("devices", "add", "--account", "1", "--serial", Serial, "--name", "kill test");
        SqliteConnection.ClearAllPools();
        return (SecretOf(account), SecretOf(ingest));
    }

    private static string SecretOf(string json) => System.Text.Json.Nodes.JsonNode.Parse(json)!["secret_key"]!.GetValue<string>();

    private GatewayProcess StartGateway() => GatewayProcess.StartUnlimited(_directory, Database);

    private static HttpClient Client(Uri address, string key) => GatewayProcess.KeyClient(address, key, TimeSpan.FromSeconds(10));

    private static Task HeartbeatAsync(Uri address, string ingestKey) => GatewayProcess.HeartbeatAsync(address, ingestKey, Serial);

    /// <summary>Make-calls, each followed by its three reports, until the gateway dies under it.</summary>
    private static async Task WorkAsync(Uri address, string writeKey, string ingestKey, ConcurrentDictionary<string, string> calls,
        ConcurrentBag<(string, string)> events, ConcurrentDictionary<string, byte> unacknowledged, CancellationToken stop)
    {
        using var writer = Client(address, writeKey);
        using var box = Client(address, ingestKey);
        while (!stop.IsCancellationRequested)
        {
            var key = Guid.NewGuid().ToString("N");
            try
            {
                var made = await writer.MakeCallAsync(Serial, idempotencyKey: key);
                Assert.Equal(200, made.Status);
                var callId = made.Json["data"]!["call_id"]!.GetValue<string>();
                calls[key] = callId;
                foreach (var status in new[] { "ringing", "in-progress", "completed" })
                {
                    var reported = await box.PostJsonAsync($"/api/gateway/v1/call/{callId}/events", $$"""{"status":"{{status}}"}""");
                    Assert.Equal(200, reported.Status);
                    events.Add((callId, status));
                }
            }
            catch (HttpRequestException)
            {
                // The gateway died: what was not acknowledged is sent again after the restart (make-calls only).
                if (!calls.ContainsKey(key))
                {
                    unacknowledged[key] = 0;
                }
                return;
            }
            catch (TaskCanceledException)
            {
                if (!calls.ContainsKey(key))
                {
                    unacknowledged[key] = 0;
                }
                return;
            }
        }
    }

    private string IntegrityCheck()
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)command.ExecuteScalar()!;
    }
}
