using System.Globalization;
using Microsoft.Playwright;
using Salpre.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Salpre.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class OverviewTests(DashboardGateway gateway, Chromium chromium) : DashboardTest(gateway, chromium)
{
    [Theory]
    [InlineData("7d", 7)]
    [InlineData("30d", 30)]
    [InlineData("today", 1)]
    public async Task Every_number_equals_the_statistics_endpoints_for_the_same_range(string range, int days)
    {
        var page = await SignedInAsync($"/dashboard?range={range}&tz=Europe/Istanbul");
        var cards = page.Locator("section.cards");
        var query = await cards.GetAttributeAsync("data-stats-query");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(Istanbul)).DateTime);
        Assert.Equal($"started_after={today.AddDays(1 - days):yyyy-MM-dd}&started_before={today.AddDays(1):yyyy-MM-dd}&tz=Europe%2FIstanbul", query);

        var totals = (await ApiAsync($"/api/gateway/v1/call/stats?{query}"))["data"]!["totals"]!;
        Assert.Equal(Text(totals["calls"]), await Card(page, "calls"));
        Assert.Equal(Text(totals["answered"]), await Card(page, "answered"));
        Assert.Equal(Text(totals["answer_rate"]), await Card(page, "answer_rate"));
        Assert.Equal(Text(totals["talk_sec_avg"]), await Card(page, "talk_sec_avg"));
        Assert.Equal(Text(totals["by_status"]!["failed"]), await Card(page, "failed"));

        var agents = (await ApiAsync($"/api/gateway/v1/call/stats?{query}&group_by=agent_id"))["data"]!["groups"]!.AsArray();
        var rows = page.Locator("table.agents tbody tr[data-agent]");
        await Expect(rows).ToHaveCountAsync(agents.Count);
        for (var i = 0; i < agents.Count; i++)
        {
            var cells = await rows.Nth(i).Locator("th, td").AllInnerTextsAsync();
            Assert.Equal(Text(agents[i]!["agent_id"]), cells[0]);
            Assert.Equal(agents[i]!["calls"]!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture), cells[1]);
            Assert.Equal(Text(agents[i]!["by_status"]!["busy"]), cells[5]);
            Assert.Equal(Text(agents[i]!["by_status"]!["no-answer"]), cells[6]);
            Assert.Equal(Text(agents[i]!["by_status"]!["failed"]), cells[7]);
        }

        var byDay = (await ApiAsync($"/api/gateway/v1/call/stats?{query}&group_by=day"))["data"]!["groups"]!.AsArray();
        var bars = page.Locator("svg[data-chart=days] g[data-day]");
        Assert.Equal(byDay.Select(d => $"{d!["day"]}={d["calls"]}"),
            await bars.EvaluateAllAsync<string[]>("bars => bars.map(b => `${b.dataset.day}=${b.dataset.calls}`)"));

        var heat = (await ApiAsync($"/api/gateway/v1/call/stats?{query}&group_by=weekday,hour_of_day"))["data"]!["groups"]!.AsArray();
        Assert.Equal(heat.Select(g => $"{g!["weekday"]}/{g["hour_of_day"]}={g["calls"]}"),
            await page.Locator("svg[data-chart=heat] rect").EvaluateAllAsync<string[]>("cells => cells.map(c => `${c.dataset.weekday}/${c.dataset.hour}=${c.dataset.calls}`)"));

        // The change is against the range of equal length before it, as the same endpoint counts it.
        var previous = await cards.GetAttributeAsync("data-previous-stats-query");
        Assert.Equal($"started_after={today.AddDays(1 - 2 * days):yyyy-MM-dd}&started_before={today.AddDays(1 - days):yyyy-MM-dd}&tz=Europe%2FIstanbul", previous);
        var before = (await ApiAsync($"/api/gateway/v1/call/stats?{previous}"))["data"]!["totals"]!["calls"]!.GetValue<long>();
        var delta = totals["calls"]!.GetValue<long>() - before;
        await Expect(page.Locator("[data-card=calls] .change")).ToContainTextAsync(delta == 0 ? "no change" : (delta > 0 ? "+" : "−") + Math.Abs(delta));
        await Expect(page.Locator("[data-card=devices] .value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9]+ of 2$"));
    }

    [Fact]
    public async Task A_range_without_calls_still_draws_a_bar_for_each_day()
    {
        var page = await SignedInAsync("/dashboard?range=custom&started_after=2020-02-26&started_before=2020-03-02&tz=Europe/Istanbul");
        var byDay = (await ApiAsync("/api/gateway/v1/call/stats?started_after=2020-02-26&started_before=2020-03-02&tz=Europe/Istanbul&group_by=day"))["data"]!["groups"]!.AsArray();
        Assert.Equal(["2020-02-26=0", "2020-02-27=0", "2020-02-28=0", "2020-02-29=0", "2020-03-01=0"], byDay.Select(d => $"{d!["day"]}={d["calls"]}"));
        Assert.Equal(byDay.Select(d => $"{d!["day"]}={d["calls"]}"),
            await page.Locator("svg[data-chart=days] g[data-day]").EvaluateAllAsync<string[]>("bars => bars.map(b => `${b.dataset.day}=${b.dataset.calls}`)"));
    }

    private static Task<string?> Card(IPage page, string name) => page.Locator($"[data-card={name}]").GetAttributeAsync("data-value");

    private static string Text(System.Text.Json.Nodes.JsonNode? value) => value is null ? "" : value.ToJsonString();
}
