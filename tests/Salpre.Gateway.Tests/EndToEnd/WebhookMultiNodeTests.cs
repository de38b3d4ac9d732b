using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Tests.Shared;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>
/// Two real gateway processes on one PostgreSQL database deliver one account's events: every event arrives once, no
/// delivery is ever sent by both at once, the endpoint's max_in_flight holds across the nodes, and a feed cursor from
/// one node reads on the other. These start processes of their own, so they run once, not again in the PostgreSQL pass.
/// </summary>
[Trait("Run", "Once")]
public sealed class WebhookMultiNodeTests : IAsyncLifetime
{
    private const string Serial = "WEBHOOK-NODES-BOX";
    private const int MaxInFlight = 4;

    private readonly string _directory = Directory.CreateTempSubdirectory("salpre-webhook-nodes-").FullName;
    private readonly List<GatewayProcess> _nodes = [];
    private PostgresServer _postgres = null!;
    private string _connectionString = "";

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.SharedAsync();
        _connectionString = await _postgres.CreateDatabaseAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        Npgsql.NpgsqlConnection.ClearAllPools();
        await _postgres.DropDatabaseAsync(_connectionString);
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Two_nodes_deliver_every_event_once_and_never_the_same_attempt_at_once()
    {
        var cluster = new WebhookCluster(new Dictionary<string, string?> { ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = _connectionString }, Serial);
        var (key, ingest) = await cluster.ArrangeAccountAsync();
        var addresses = new List<Uri>();
        for (var i = 0; i < 2; i++)
        {
            _nodes.Add(cluster.Start(_directory, ("Webhooks__PollInterval", "00:00:00.050")));
            addresses.Add(await _nodes[i].WaitForAddressAsync(TimeSpan.FromSeconds(60)));
        }
        using var first = WebhookCluster.Client(addresses[0], key);
        using var second = WebhookCluster.Client(addresses[1], key);
        using var box = WebhookCluster.Client(addresses[1], ingest);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, _, stopping) => Task.Delay(20, stopping);   // slow enough for claims to meet
        Assert.Equal(200, (await first.PostJsonAsync("/api/gateway/v1/webhooks", $$"""{"url":"{{receiver.Url}}","max_in_flight":{{MaxInFlight}}}""")).Status);
        Assert.Equal(200, (await box.PostJsonAsync("/api/gateway/v1/salprebox/heartbeat", $$"""{"serial_no":"{{Serial}}"}""")).Status);

        await Parallel.ForAsync(0, 150, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var made = await (i % 2 == 0 ? first : second).MakeCallAsync(Serial);
            Assert.Equal(200, made.Status);
            Assert.Equal(200, (await box.PostJsonAsync($"/api/gateway/v1/call/{made.Json["data"]!["call_id"]!.GetValue<string>()}/events", """{"status":"ringing"}""")).Status);
        });
        await receiver.WaitForCountAsync(300, TimeSpan.FromSeconds(60));
        await Task.Delay(500, TestContext.Current.CancellationToken);

        var ids = receiver.Received.Select(r => r.Id).ToList();
        // The feed, a page from each node in turn through the cursor.
        var feed = (await WebhookCluster.ReadFeedAsync(first, second)).Select(e => e["id"]!.GetValue<string>()).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"two nodes: {ids.Count} requests for {ids.Distinct().Count()} events; most at once {receiver.MaxInFlight}; same id at once {receiver.Overlaps}");

        Assert.Equal(300, ids.Count);
        Assert.Equal(300, ids.Distinct().Count());
        Assert.Equal(0, receiver.Overlaps);
        Assert.InRange(receiver.MaxInFlight, 1, MaxInFlight);
        Assert.Equal(feed.ToHashSet(), ids.ToHashSet());
        Assert.Equal(feed.Order(StringComparer.Ordinal), feed);
    }
}
