using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;
using Salpre.Dashboard.Tests.Infrastructure;
using Salpre.Gateway.Admin;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Tests.Shared;
using static Microsoft.Playwright.Assertions;

namespace Salpre.Dashboard.Tests;

/// <summary>
/// Two real gateway processes on one PostgreSQL: a dashboard open on one node shows, within 3 s, a call made through
/// the other; and the session cookie one node sealed is opened by the other (the key ring is in the database).
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class MultiNodeTests(DashboardGateway gateway, Chromium chromium) : DashboardTest(gateway, chromium)
{
    [Fact]
    public async Task A_call_made_through_one_node_shows_on_a_dashboard_open_on_the_other_within_3_seconds()
    {
        var postgres = await PostgresServer.SharedAsync();
        var connection = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var folder = Directory.CreateTempSubdirectory("salpre-dashboard-nodes-").FullName;
        var nodes = new List<GatewayProcess>();
        try
        {
            var account = (await AdminAsync(connection, "accounts", "create", "--name", "two nodes", "--json"))["account_id"]!.GetValue<long>();
            var key = (await AdminAsync(connection, "keys", "create", "--account", $"{account}", "--scopes", "read,write,ingest", "--json"))["secret_key"]!.GetValue<string>();
            await AdminAsync(connection, "devices", "add", "--account", $"{account}", "--serial", "NODES_BOX", "--name", "shared box");
            var addresses = new List<Uri>();
            for (var i = 0; i < 2; i++)
            {
                var node = GatewayProcess.Start(folder, new Dictionary<string, string>
                {
                    ["Storage__Provider"] = "postgres",
                    ["Storage__ConnectionString"] = connection,
                }, "--urls", "http://127.0.0.1:0");
                nodes.Add(node);
                addresses.Add(await node.WaitForAddressAsync(TimeSpan.FromSeconds(60)));
            }

            var page = await OpenAsync();
            await page.GotoAsync(new Uri(addresses[0], "/dashboard/calls?tz=UTC").ToString());
            await page.GetByLabel("Account key").FillAsync(key);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Calls", Level = 1 })).ToBeVisibleAsync();

            using var other = new HttpClient { BaseAddress = addresses[1] };
            other.DefaultRequestHeaders.Add("account-secret-key", key);
            (await other.PostAsJsonAsync("/api/gateway/v1/salprebox/heartbeat", new { serial_no = "NODES_BOX" }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
            using var made = await other.PostAsJsonAsync("/api/gateway/v1/call/make-call",
                new { from = "salprebox:NODES_BOX", to = "+905321234567", agent_id = 5 }, TestContext.Current.CancellationToken);
            var callId = JsonNode.Parse(await made.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["data"]!["call_id"]!.GetValue<string>();

            var banner = page.Locator("[data-new-calls]");
            await Expect(banner).ToBeVisibleAsync(new() { Timeout = 3000 });
            await banner.GetByRole(AriaRole.Button).ClickAsync();
            await Expect(page.Locator("table.calls tbody tr").First).ToHaveAttributeAsync("data-call-id", callId);

            // The cookie node 0 sealed opens node 1's pages (cookies are per host, not per port).
            await page.GotoAsync(new Uri(addresses[1], $"/dashboard/calls/{callId}?tz=UTC").ToString());
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Call {callId}" })).ToBeVisibleAsync();
            await page.GotoAsync("about:blank"); // closes the live stream before its node stops
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
            Npgsql.NpgsqlConnection.ClearAllPools();
            await postgres.DropDatabaseAsync(connection);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<JsonNode> AdminAsync(string connection, params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = connection,
        }).Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AdminCommands.RunAsync(args, configuration, output, error, CancellationToken.None);
        Assert.True(code == 0, error.ToString());
        var last = output.ToString().TrimEnd().Split('\n')[^1];
        return last.StartsWith('{') ? JsonNode.Parse(last)! : new JsonObject();
    }
}
