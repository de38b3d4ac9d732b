using Microsoft.Extensions.DependencyInjection;
using Salpre.Gateway.Events;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Gateway.Tests.Webhooks;

namespace Salpre.Gateway.Tests.Events;

/// <summary>device.connected and device.disconnected, opt-in: in the feed and to the endpoints that take them.</summary>
public sealed class DeviceEventTests
{
    [Fact]
    public async Task With_device_events_on_a_box_tells_when_its_heartbeats_start_and_stop()
    {
        await using var gateway = new WebhookGateway();
        gateway.With("Events:DeviceEvents", "true").With("Devices:ConnectedWindow", "00:00:01");
        await gateway.InitializeAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var parties = await gateway.PartiesAsync();   // its box has sent one heartbeat
        await parties.CreateEndpointAsync(receiver.Url, ""","event_types":["device.connected","device.disconnected"]""");
        // Heartbeats are kept in whole seconds: past the one-second window whatever the fraction of the last one.
        await Task.Delay(2200, TestContext.Current.CancellationToken);

        var told = await gateway.Services.GetRequiredService<DeviceEventSweeper>().SweepAsync(TestContext.Current.CancellationToken);
        var beat = await parties.Box.PostJsonAsync("/api/gateway/v1/salprebox/heartbeat", $$"""{"serial_no":"{{parties.Serial}}","battery_level":55}""");
        await receiver.WaitForCountAsync(2);
        await gateway.SettleEventsAsync();
        var feed = await parties.Api.GetWireAsync("/api/gateway/v1/events?type=device.connected,device.disconnected");

        Assert.True(told >= 1);
        Assert.Equal(200, beat.Status);
        Assert.Equal(["device.connected", "device.disconnected", "device.connected"], feed.Data.Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal([true, false, true], feed.Data.Select(e => e!["data"]!["connected"]!.GetValue<bool>()));
        Assert.All(feed.Data, e => Assert.Equal(parties.Serial, e!["data"]!["serial_no"]!.GetValue<string>()));
        Assert.Equal(55, feed.Data[^1]!["data"]!["battery_level"]!.GetValue<int>());
        Assert.Equal(["device.connected", "device.disconnected"], receiver.Received.Select(r => r.Json["type"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Without_device_events_boxes_make_none_and_no_endpoint_can_wait_for_them()
    {
        await using var gateway = new WebhookGateway();
        await gateway.InitializeAsync();
        var parties = await gateway.PartiesAsync();
        await parties.Box.PostJsonAsync("/api/gateway/v1/salprebox/heartbeat", $$"""{"serial_no":"{{parties.Serial}}"}""");

        var refused = await parties.Api.PostJsonAsync(WebhookParties.Webhooks, """{"url":"https://hooks.example.com/","event_types":["device.connected"]}""");
        await gateway.SettleEventsAsync();

        Assert.Equal(400, refused.Status);
        Assert.Equal("event_types", refused.Json["param"]!.GetValue<string>());
        Assert.Empty((await parties.Api.GetWireAsync("/api/gateway/v1/events")).Data);
    }
}
