using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Salpre.Dashboard.Tests.Infrastructure;

/// <summary>What a backend and a box do through the API while a dashboard watches.</summary>
public static class CallsApi
{
    /// <summary>The connected box says it is alive, then the backend places a call from it; the new call's id.</summary>
    public static async Task<string> MakeCallAsync(DashboardGateway gateway, string to = "+905321234567", int agent = 5)
    {
        await HeartbeatAsync(gateway, 87);
        using var client = gateway.Client(gateway.Account.Key);
        using var response = await client.PostAsJsonAsync("/api/gateway/v1/call/make-call",
            new { from = "salprebox:" + DashboardGateway.ConnectedSerial, to, agent_id = agent }, TestContext.Current.CancellationToken);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return body["data"]!["call_id"]!.GetValue<string>();
    }

    public static async Task HeartbeatAsync(DashboardGateway gateway, int battery)
    {
        using var client = gateway.Client(gateway.IngestKey);
        using var response = await client.PostAsJsonAsync("/api/gateway/v1/salprebox/heartbeat",
            new { serial_no = DashboardGateway.ConnectedSerial, battery_level = battery, firmware_version = "2.3.1" }, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode);
    }

    /// <summary>The box reports a step of the call.</summary>
    public static async Task ReportAsync(DashboardGateway gateway, string callId, object report)
    {
        using var client = gateway.Client(gateway.IngestKey);
        using var response = await client.PostAsJsonAsync($"/api/gateway/v1/call/{callId}/events", report, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
