using Microsoft.Playwright;
using Salpre.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Salpre.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class CallPageTests(DashboardGateway gateway, Chromium chromium) : DashboardTest(gateway, chromium)
{
    [Fact]
    public async Task A_call_page_shows_the_transcript_the_recording_the_variables_and_the_timeline_of_its_logs()
    {
        var callId = await CallsApi.MakeCallAsync(Gateway);
        var at = DateTimeOffset.UtcNow.AddSeconds(1);
        await CallsApi.ReportAsync(Gateway, callId, new { status = "ringing", at = Iso(at.AddSeconds(2)), detail = "dialing" });
        await CallsApi.ReportAsync(Gateway, callId, new { status = "in-progress", at = Iso(at.AddSeconds(9)) });
        await CallsApi.ReportAsync(Gateway, callId, new
        {
            status = "completed", at = Iso(at.AddSeconds(71)), audio_record_url = $"https://recordings.example.com/test/{callId}.mp3",
            transcript = "Agent: Good morning, this is Salpre.\nCustomer: Hello!", variables = new { order_id = "B-7", attempts = 2 },
        });
        var details = (await ApiAsync($"/api/gateway/v1/call/{callId}"))["data"]!;
        var logs = (await ApiAsync($"/api/gateway/v1/call/{callId}/logs"))["data"]!.AsArray();

        var page = await SignedInAsync($"/dashboard/calls/{callId}?tz=UTC");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Call {callId}" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-transcript]")).ToContainTextAsync("Good morning, this is Salpre.");
        Assert.Equal(details["audio_record_url"]!.GetValue<string>(), await page.Locator("audio").GetAttributeAsync("src"));
        Assert.Equal("none", await page.Locator("audio").GetAttributeAsync("preload"));
        await Expect(page.Locator("table.variables")).ToContainTextAsync("B-7");

        var steps = page.Locator("[data-timeline] li");
        Assert.Equal(logs.Select(l => l!["status"]!.GetValue<string>()), await steps.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.status)"));
        Assert.Equal(logs.Select(l => l!["at"]!.GetValue<string>()), await steps.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.at)"));
        await Expect(steps.Nth(2)).ToContainTextAsync("+7 s after ringing");
        await Expect(steps.Nth(3)).ToContainTextAsync("+1:02 after in-progress");

        await page.GetByText("The details as").ClickAsync();
        await Expect(page.Locator("pre code")).ToContainTextAsync($"\"call_id\": \"{callId}\"");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy link" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_live_call_updates_itself()
    {
        var callId = await CallsApi.MakeCallAsync(Gateway);
        var page = await SignedInAsync($"/dashboard/calls/{callId}?tz=UTC");
        var status = page.Locator("[data-field=status]");
        await Expect(status).ToHaveTextAsync("initiated");

        await CallsApi.ReportAsync(Gateway, callId, new { status = "ringing" });
        await Expect(status).ToHaveTextAsync("ringing", new() { Timeout = 3000 });
        await Expect(page.Locator("[data-timeline] li")).ToHaveCountAsync(2, new() { Timeout = 3000 });
    }

    [Fact]
    public async Task An_unknown_call_says_so()
    {
        var page = await SignedInAsync("/dashboard/calls/c999999?tz=UTC");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Call not found. Please check the call ID.");
    }

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
