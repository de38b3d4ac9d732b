using Microsoft.Extensions.Logging.Abstractions;
using Salpre.Gateway.Simulation;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Simulation;

/// <summary>Simulated boxes, run fast, carry every new call to a final status over HTTP, and keep their boxes connected.</summary>
public sealed class BoxSimulatorTests(BoxSimulatorTests.Gateway gateway) : IClassFixture<BoxSimulatorTests.Gateway>
{
    public sealed class Gateway : GatewayFactory
    {
        public Gateway()
        {
            With("MakeCall:CallsPerSecond", "1000");
            With("MakeCall:Burst", "1000");
        }
    }

    [Fact]
    public async Task Every_new_call_reaches_a_final_status_through_a_legal_lifecycle()
    {
        var account = await gateway.CreateAccountAsync();
        var (_, simulatorKey) = await gateway.CreateKeyAsync(account.Id, KeyScopes.Read | KeyScopes.Ingest);
        var serial = await gateway.AddBoxAsync(account.Id, connected: false);
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        using var stop = new CancellationTokenSource();
        var simulator = new BoxSimulator(http, new SimulationOptions(gateway.BaseAddress, simulatorKey, [serial], Speed: 200), NullLogger.Instance);
        var running = simulator.RunAsync(stop.Token);
        var client = gateway.Client(account.Key);

        // The simulated box's first heartbeat connects it.
        WireResponse made;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
            made = await client.MakeCallAsync(serial);
        }
        while (made.Status == 409 && DateTime.UtcNow < deadline);
        var calls = new List<string> { made.Json["data"]!["call_id"]!.GetValue<string>() };
        for (var i = 0; i < 11; i++)
        {
            calls.Add((await client.MakeCallAsync(serial, to: $"+9053212345{i:00}")).Json["data"]!["call_id"]!.GetValue<string>());
        }

        var final = new HashSet<string> { "completed", "busy", "no-answer", "failed", "canceled" };
        deadline = DateTime.UtcNow.AddSeconds(30);
        List<string> statuses;
        do
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            statuses = [];
            foreach (var callId in calls)
            {
                statuses.Add((await client.GetWireAsync($"/api/gateway/v1/call/{callId}")).Json["data"]!["status"]!.GetValue<string>());
            }
        }
        while (!statuses.All(final.Contains) && DateTime.UtcNow < deadline);
        await stop.CancelAsync();
        await running;

        Assert.All(statuses, status => Assert.Contains(status, final));
        foreach (var callId in calls)
        {
            var logs = (await client.GetWireAsync($"/api/gateway/v1/call/{callId}/logs")).Data.Select(e => e!["status"]!.GetValue<string>()).ToList();
            Calls.LifecycleModel.AssertLegalPath(logs);
            Assert.Equal("ringing", logs[1]);
        }
        foreach (var callId in calls)
        {
            var call = (await client.GetWireAsync($"/api/gateway/v1/call/{callId}")).Json["data"]!;
            if (call["status"]!.GetValue<string>() == "completed")
            {
                Assert.StartsWith("Agent:", call["transcript"]!.GetValue<string>());
            }
        }
        var box = (await client.GetWireAsync("/api/gateway/v1/salprebox/device-list")).Data.Single()!;
        Assert.True(box["connected"]!.GetValue<bool>());
        Assert.Equal("2.3.1", box["firmware_version"]!.GetValue<string>());
    }
}
