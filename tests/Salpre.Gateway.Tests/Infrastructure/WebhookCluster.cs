using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Salpre.Gateway.Admin;

namespace Salpre.Gateway.Tests.Infrastructure;

/// <summary>
/// What the webhook tests of real gateway processes share: an account with a box arranged by admin commands on the
/// store, the processes' settings (webhooks may reach loopback receivers over http; no rate limit gets in the way),
/// and clients with a key.
/// </summary>
public sealed record WebhookCluster(IReadOnlyDictionary<string, string?> Storage, string Serial)
{
    /// <summary>Creates account 1 with a read-write key, an ingest key and the box; the two secrets.</summary>
    public async Task<(string Key, string Ingest)> ArrangeAccountAsync()
    {
        var key = (await AdminAsync("accounts", "create", "--name", "webhooks", "--json"))["secret_key"]!.GetValue<string>();
        var ingest = (await AdminAsync("keys", "create", "--account", "1", "--scopes", "ingest", "--json"))["secret_key"]!.GetValue<string>();
        await AdminAsync("devices", "add", "--account", "1", "--serial", Serial, "--name", "webhook box");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Npgsql.NpgsqlConnection.ClearAllPools();
        return (key, ingest);
    }

    /// <summary>Runs an admin command on the store as an operator would; its JSON line, if any.</summary>
    public async Task<JsonNode> AdminAsync(params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Storage).Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AdminCommands.RunAsync(args, configuration, output, error, CancellationToken.None);
        Xunit.Assert.True(code == 0, error.ToString());
        var last = output.ToString().TrimEnd().Split('\n')[^1];
        return last.StartsWith('{') ? JsonNode.Parse(last)! : new JsonObject();
    }

    /// <summary>A gateway process on the store, in <paramref name="directory"/>, with these webhook settings and any more.</summary>
    public GatewayProcess Start(string directory, params (string Name, string Value)[] more)
    {
        var environment = Storage.ToDictionary(pair => pair.Key.Replace(":", "__", StringComparison.Ordinal), pair => pair.Value!);
        foreach (var (name, value) in (IEnumerable<(string, string)>)
        [
            ("MakeCall__CallsPerSecond", "100000"), ("MakeCall__Burst", "100000"),
            ("RateLimiting__RequestsPerSecond", "100000"), ("RateLimiting__Burst", "100000"),
            ("Webhooks__AllowHttp", "true"), ("Webhooks__AllowedNetworks__0", "127.0.0.0/8"), .. more,
        ])
        {
            environment[name] = value;
        }
        return GatewayProcess.Start(directory, environment, "--urls", "http://127.0.0.1:0");
    }

    public static HttpClient Client(Uri address, string key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("account-secret-key", key);
        return client;
    }

    /// <summary>Every event of the feed, through its cursor; <paramref name="clients"/> take the pages in turn.</summary>
    public static async Task<List<JsonNode>> ReadFeedAsync(params HttpClient[] clients)
    {
        var events = new List<JsonNode>();
        var page = await clients[0].GetWireAsync("/api/gateway/v1/events?per_page=100");
        for (var turn = 1; ; turn++)
        {
            events.AddRange(page.Data.Select(e => e!));
            if (page.Meta["next_cursor"]?.GetValue<string>() is not { } cursor)
            {
                return events;
            }
            page = await clients[turn % clients.Length].GetWireAsync($"/api/gateway/v1/events?cursor={cursor}");
        }
    }
}

/// <summary>Polls until a condition holds, for what the gateway does in the background.</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            Xunit.Assert.True(DateTime.UtcNow < deadline, $"{what}: not in time");
            await Task.Delay(50);
        }
    }
}
