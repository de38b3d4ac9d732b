using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Tests.Shared;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>The kill test on SQLite, the default store (a file of its own).</summary>
[Trait("Storage", "SqliteOnly")]
public sealed class WebhookKillTests : WebhookKillTest
{
    protected override Task<IReadOnlyDictionary<string, string?>> StorageAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = $"Data Source={Path.Combine(Directory, "salpre.db")}",
        });
}

/// <summary>The kill test on a database of the run's PostgreSQL server; it starts processes of its own, so it runs once.</summary>
[Trait("Run", "Once")]
public sealed class PostgresWebhookKillTests : WebhookKillTest
{
    private string? _connectionString;

    protected override async Task<IReadOnlyDictionary<string, string?>> StorageAsync()
    {
        _connectionString = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        return new Dictionary<string, string?> { ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = _connectionString };
    }

    public override async ValueTask DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        if (_connectionString is not null)
        {
            await (await PostgresServer.SharedAsync()).DropDatabaseAsync(_connectionString);
        }
        await base.DisposeAsync();
    }
}

/// <summary>
/// At least once, never lost: the real gateway process is killed with SIGKILL three times while calls and their
/// status reports fan out to two endpoints. After the last restart every acknowledged change has reached both
/// endpoints, duplicates are no more than what was in flight at the kills, and the feed holds every change once, in order.
/// </summary>
public abstract class WebhookKillTest : IAsyncLifetime
{
    private const string Serial = "WEBHOOK-KILL-BOX";
    private const int Changes = 1000;
    private const int Kills = 3;
    private const int MaxInFlight = 4;

    protected string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("salpre-webhook-kill-").FullName;

    /// <summary>The Storage settings of the store the gateway runs on.</summary>
    protected abstract Task<IReadOnlyDictionary<string, string?>> StorageAsync();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Every_acknowledged_change_reaches_both_endpoints_across_three_kill_9s()
    {
        var cluster = new WebhookCluster(await StorageAsync(), Serial);
        var (key, ingest) = await cluster.ArrangeAccountAsync();
        await using var first = await WebhookReceiver.StartAsync();
        await using var second = await WebhookReceiver.StartAsync();
        var acknowledged = new ConcurrentDictionary<(string CallId, string Status), byte>();
        var random = new Random(14);

        for (var cycle = 0; cycle <= Kills; cycle++)
        {
            await using var gateway = cluster.Start(Directory, ("Webhooks__Lease", "00:00:05"), ("Webhooks__PollInterval", "00:00:00.200"));
            var address = await gateway.WaitForAddressAsync(TimeSpan.FromSeconds(60));
            using var api = WebhookCluster.Client(address, key);
            if (cycle == 0)
            {
                foreach (var receiver in new[] { first, second })
                {
                    Assert.Equal(200, (await api.PostJsonAsync("/api/gateway/v1/webhooks", $$"""{"url":"{{receiver.Url}}","max_in_flight":{{MaxInFlight}}}""")).Status);
                }
            }
            using (var box = WebhookCluster.Client(address, ingest))
            {
                Assert.Equal(200, (await box.PostJsonAsync("/api/gateway/v1/salprebox/heartbeat", $$"""{"serial_no":"{{Serial}}"}""")).Status);
            }
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() => WorkAsync(address, key, ingest, acknowledged, stop.Token))).ToList();
            if (cycle < Kills)
            {
                await Task.Delay(700 + random.Next(700), TestContext.Current.CancellationToken);
                await gateway.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(workers);
                continue;
            }

            // The last run: load until a thousand changes are acknowledged, then every one must arrive at both endpoints.
            while (acknowledged.Count < Changes)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            foreach (var receiver in new[] { first, second })
            {
                await receiver.WaitForAsync(received => Missing(received, acknowledged.Keys).Count == 0, TimeSpan.FromSeconds(90), "every acknowledged change");
            }
            await Task.Delay(500, TestContext.Current.CancellationToken);

            var feed = await WebhookCluster.ReadFeedAsync(api);
            var duplicates = new[] { first, second }.Select(r => r.Received.Count - r.Received.Select(x => x.Id).Distinct().Count()).ToList();
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{GetType().Name}: kill -9 x{Kills}; acknowledged changes: {acknowledged.Count}; events in the feed: {feed.Count}; received: " +
                $"{first.Received.Count} and {second.Received.Count}; duplicates: {duplicates[0]} and {duplicates[1]} " +
                $"(at most {Kills * MaxInFlight} each: what was in flight at the kills)");

            Assert.Empty(Missing(first.Received, acknowledged.Keys));
            Assert.Empty(Missing(second.Received, acknowledged.Keys));
            Assert.All(duplicates, count => Assert.InRange(count, 0, Kills * MaxInFlight));
            Assert.Equal(0, first.Overlaps + second.Overlaps);

            // The feed: every acknowledged change once, in id order, each call's sequence growing; the same events as delivered.
            var changes = feed.Select(e => (e["data"]!["call_id"]!.GetValue<string>(), e["data"]!["status"]!.GetValue<string>())).ToList();
            Assert.Equal(changes.Count, changes.Distinct().Count());
            Assert.Subset(changes.ToHashSet(), acknowledged.Keys.ToHashSet());
            var ids = feed.Select(e => e["id"]!.GetValue<string>()).ToList();
            Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
            Assert.All(feed.GroupBy(e => e["data"]!["call_id"]!.GetValue<string>()), call =>
                Assert.Equal(Enumerable.Range(1, call.Count()), call.Select(e => e["data"]!["sequence"]!.GetValue<int>())));
            Assert.Equal(ids.ToHashSet(), first.Received.Select(r => r.Id).ToHashSet());
            Assert.Equal(0, await gateway.StopAsync(TimeSpan.FromSeconds(20)));
        }
    }

    private static List<(string, string)> Missing(IEnumerable<ReceivedWebhook> received, IEnumerable<(string CallId, string Status)> acknowledged)
    {
        var got = received.Select(r => r.Json["data"]!).Select(d => (d["call_id"]!.GetValue<string>(), d["status"]!.GetValue<string>())).ToHashSet();
        return [.. acknowledged.Where(change => !got.Contains(change))];
    }

    /// <summary>Make-calls, each followed by its three reports, until stopped or the gateway dies under it.</summary>
    private static async Task WorkAsync(Uri address, string key, string ingest, ConcurrentDictionary<(string, string), byte> acknowledged, CancellationToken stop)
    {
        using var api = WebhookCluster.Client(address, key);
        using var box = WebhookCluster.Client(address, ingest);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var made = await api.MakeCallAsync(Serial);
                Assert.Equal(200, made.Status);
                var callId = made.Json["data"]!["call_id"]!.GetValue<string>();
                acknowledged[(callId, "initiated")] = 0;
                foreach (var status in new[] { "ringing", "in-progress", "completed" })
                {
                    var reported = await box.PostJsonAsync($"/api/gateway/v1/call/{callId}/events", $$"""{"status":"{{status}}"}""");
                    Assert.Equal(200, reported.Status);
                    acknowledged[(callId, status)] = 0;
                }
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            // The gateway died, or the test stopped the load: what was acknowledged is what counts.
        }
    }
}
