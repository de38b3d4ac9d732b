using Microsoft.Playwright;
using Salpre.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Salpre.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class DevicesAndPlaceCallTests(DashboardGateway gateway, Chromium chromium) : DashboardTest(gateway, chromium)
{
    [Fact]
    public async Task Devices_show_their_connection_battery_firmware_and_last_seen_and_update_live()
    {
        await CallsApi.HeartbeatAsync(Gateway, 87);
        var page = await SignedInAsync("/dashboard/devices?tz=Europe/Istanbul");
        var box = page.Locator($"tr[data-serial={DashboardGateway.ConnectedSerial}]");
        await Expect(box.Locator("[data-connected]")).ToHaveTextAsync("Connected");
        await Expect(box.Locator("[data-battery]")).ToContainTextAsync("87%");
        await Expect(box).ToContainTextAsync("2.3.1");
        await Expect(box.Locator("time")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("(just now|s ago)$"));
        await Expect(box.Locator("time")).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("\\(Europe/Istanbul\\)$"));
        var silent = page.Locator($"tr[data-serial={DashboardGateway.SilentSerial}]");
        await Expect(silent.Locator("[data-connected]")).ToHaveTextAsync("Not connected");

        await CallsApi.HeartbeatAsync(Gateway, 55);
        await Expect(box.Locator("[data-battery]")).ToContainTextAsync("55%", new() { Timeout = 3000 });
    }

    [Fact]
    public async Task A_write_key_places_a_call_and_its_page_follows_it()
    {
        await CallsApi.HeartbeatAsync(Gateway, 90);
        var page = await SignedInAsync("/dashboard/place-call?tz=UTC");
        await page.GetByLabel("From (a connected box)").SelectOptionAsync("salprebox:" + DashboardGateway.ConnectedSerial);
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("+905321234567");
        await page.GetByLabel("Agent").FillAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Place the call" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/dashboard/calls/c", StringComparison.Ordinal));
        var callId = new Uri(page.Url).AbsolutePath.Split('/')[^1];

        var details = (await ApiAsync($"/api/gateway/v1/call/{callId}"))["data"]!;
        Assert.Equal("+905321234567", details["to"]!.GetValue<string>());
        Assert.Equal(7, details["agent_id"]!.GetValue<long>());
        await Expect(page.Locator("[data-field=status]")).ToHaveTextAsync("initiated");
        await CallsApi.ReportAsync(Gateway, callId, new { status = "ringing" });
        await Expect(page.Locator("[data-field=status]")).ToHaveTextAsync("ringing", new() { Timeout = 3000 });
    }

    [Fact]
    public async Task A_number_the_API_refuses_is_said_on_the_form()
    {
        ExpectStatus(400);
        await CallsApi.HeartbeatAsync(Gateway, 90);
        var page = await SignedInAsync("/dashboard/place-call?tz=UTC");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("+1");
        await page.GetByLabel("Agent").FillAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Place the call" }).ClickAsync();
        await Expect(page.Locator("[data-error]")).ToHaveTextAsync("Invalid to value");
    }

    [Fact]
    public async Task A_read_key_cannot_place_a_call()
    {
        ExpectStatus(403);
        var page = await SignedInAsync("/dashboard/place-call?tz=UTC", Gateway.ReadKey);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Place a call" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("needs a key with the write scope");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Place the call" })).ToHaveCountAsync(0);

        // A forged post with this session is refused too, and places nothing.
        var before = (await ApiAsync("/api/gateway/v1/call/list?include_total=true"))["meta"]!["total"]!.GetValue<long>();
        var token = await page.EvaluateAsync<string?>("document.querySelector('input[name=__RequestVerificationToken]')?.value ?? null");
        var response = await page.APIRequest.PostAsync("/dashboard/place-call", new()
        {
            Form = page.APIRequest.CreateFormData()
                .Append("__RequestVerificationToken", token ?? "")
                .Append("from", "salprebox:" + DashboardGateway.ConnectedSerial).Append("to", "+905321234567").Append("agent_id", "5"),
        });
        Assert.Equal(403, response.Status);
        Assert.Equal(before, (await ApiAsync("/api/gateway/v1/call/list?include_total=true"))["meta"]!["total"]!.GetValue<long>());
    }
}
