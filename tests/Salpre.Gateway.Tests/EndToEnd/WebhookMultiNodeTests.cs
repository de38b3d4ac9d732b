using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Salpre.Gateway.Admin;
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
        var account = await AdminAsync("accounts", "create", "--name", "nodes", "--json");
        var key = account["secret_key"]!.GetValue<string>();
        var ingest = (await AdminAsync("keys", "create", "--account", "1", "--scopes", "ingest", "--json"))["secret_key"]!.GetValue<string>();
        await AdminAsync("devices", "add", "--account", "1", "--serial", Serial, "--name", "nodes box");
        var addresses = new List<Uri>();
        for (var i = 0; i < 2; i++)
        {
            _nodes.Add(GatewayProcess.Start(_directory, new Dictionary<string, string>
            {
                ["Storage__Provider"] = "postgres",
                ["Storage__ConnectionString"] = _connectionString,
                ["MakeCall__CallsPerSecond"] = "100000",
                ["MakeCall__Burst"] = "100000",
                ["RateLimiting__RequestsPerSecond"] = "100000",
                ["RateLimiting__Burst"] = "100000",
                ["Webhooks__AllowHttp"] = "true",
                ["Webhooks__AllowedNetworks__0"] = "127.0.0.0/8",
                ["Webhooks__PollInterval"] = "00:00:00.050",
            }, "--urls", "http://127.0.0.1:0"));
            addresses.Add(await _nodes[i].WaitForAddressAsync(TimeSpan.FromSeconds(60)));
        }
        using var first = Client(addresses[0], key);
        using var second = Client(addresses[1], key);
        using var box = Client(addresses[1], ingest);
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
        var feed = new List<string>();
        var page = await first.GetWireAsync("/api/gateway/v1/events?per_page=100");
        for (var turn = 1; ; turn++)
        {
            feed.AddRange(page.Data.Select(e => e!["id"]!.GetValue<string>()));
            if (page.Meta["next_cursor"]?.GetValue<string>() is not { } cursor)
            {
                break;
            }
            page = await (turn % 2 == 0 ? first : second).GetWireAsync($"/api/gateway/v1/events?cursor={cursor}");
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"two nodes: {ids.Count} requests for {ids.Distinct().Count()} events; most at once {receiver.MaxInFlight}; same id at once {receiver.Overlaps}");

        Assert.Equal(300, ids.Count);
        Assert.Equal(300, ids.Distinct().Count());
        Assert.Equal(0, receiver.Overlaps);
        Assert.InRange(receiver.MaxInFlight, 1, MaxInFlight);
        Assert.Equal(feed.ToHashSet(), ids.ToHashSet());
        Assert.Equal(feed.Order(StringComparer.Ordinal), feed);
    }

    private async Task<JsonNode> AdminAsync(params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = _connectionString,
        }).Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AdminCommands.RunAsync(args, configuration, output, error, CancellationToken.None);
        Assert.True(code == 0, error.ToString());
        var last = output.ToString().TrimEnd().Split('\n')[^1];
        return last.StartsWith('{') ? JsonNode.Parse(last)! : new JsonObject();
    }

    private static HttpClient Client(Uri address, string key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("account-secret-key", key);
        return client;
    }
}
