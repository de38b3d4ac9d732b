using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Salpre.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Salpre.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class CallsPageTests(DashboardGateway gateway, Chromium chromium) : DashboardTest(gateway, chromium)
{
    private const string List = "/api/gateway/v1/call/list";

    [Fact]
    public async Task Without_a_zone_the_address_takes_the_browsers_and_the_page_names_it()
    {
        var page = await SignedInAsync("/dashboard/calls");
        await page.WaitForURLAsync(url => url.Contains("tz=Europe%2FIstanbul", StringComparison.Ordinal) || url.Contains("tz=Europe/Istanbul", StringComparison.Ordinal));
        await Expect(page.Locator(".zone")).ToContainTextAsync("Europe/Istanbul (UTC+03:00)");
        await Expect(page.GetByLabel("Time zone")).ToHaveValueAsync("Europe/Istanbul");
    }

    [Fact]
    public async Task The_table_is_the_APIs_page_with_the_call_id_first_as_a_link_and_the_total()
    {
        var page = await SignedInAsync("/dashboard/calls?tz=UTC");
        var api = await ApiAsync($"{List}?tz=UTC&include_total=true");
        Assert.Equal(Ids(api), await ShownIdsAsync(page));
        await Expect(page.Locator("[data-total-text]")).ToHaveTextAsync(api["meta"]!["total"]!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture));
        var first = page.Locator("table.calls tbody tr").First.Locator("th a");
        await Expect(first).ToHaveTextAsync(Ids(api)[0]);
        await Expect(first).ToHaveAttributeAsync("href", $"/dashboard/calls/{Ids(api)[0]}?tz=UTC");
    }

    [Fact]
    public async Task A_status_filter_shows_only_that_status_lands_in_the_address_survives_a_reload_and_Back_restores_the_list()
    {
        var page = await SignedInAsync("/dashboard/calls?tz=UTC");
        var unfiltered = await ShownIdsAsync(page);

        await page.GetByText("Filters", new() { Exact = true }).ClickAsync();
        await page.GetByLabel("Status", new() { Exact = true }).SelectOptionAsync("failed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("status=failed", StringComparison.Ordinal));
        Assert.DoesNotContain("agent_id=", page.Url, StringComparison.Ordinal); // empty fields stay out of the address

        var api = await ApiAsync($"{List}?status=failed&tz=UTC");
        Assert.NotEmpty(Ids(api));
        Assert.Equal(Ids(api), await ShownIdsAsync(page));
        foreach (var badge in await page.Locator("table.calls tbody tr td:nth-child(2)").AllInnerTextsAsync())
        {
            Assert.Equal("failed", badge.Trim());
        }

        await page.ReloadAsync();
        Assert.Equal(Ids(api), await ShownIdsAsync(page));
        await Expect(page.GetByLabel("Status", new() { Exact = true })).ToHaveValueAsync("failed");

        await page.GoBackAsync();
        Assert.DoesNotContain("status=", page.Url, StringComparison.Ordinal);
        Assert.Equal(unfiltered, await ShownIdsAsync(page));
    }

    [Fact]
    public async Task Next_shows_exactly_the_APIs_cursor_page_and_Previous_comes_back()
    {
        var page = await SignedInAsync("/dashboard/calls?tz=UTC&per_page=10");
        var first = await ApiAsync($"{List}?tz=UTC&per_page=10");
        var cursor = first["meta"]!["next_cursor"]!.GetValue<string>();
        var second = await ApiAsync($"{List}?cursor={Uri.EscapeDataString(cursor)}");
        var third = await ApiAsync($"{List}?cursor={Uri.EscapeDataString(second["meta"]!["next_cursor"]!.GetValue<string>())}");

        await page.GetByRole(AriaRole.Link, new() { Name = "Next" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("cursor=", StringComparison.Ordinal));
        Assert.Equal(Ids(second), await ShownIdsAsync(page));
        Assert.Equal(cursor, new Uri(page.Url).Query.Split('&').Select(Uri.UnescapeDataString).Single(p => p.StartsWith("cursor=", StringComparison.Ordinal))["cursor=".Length..]);

        await page.GetByRole(AriaRole.Link, new() { Name = "Next" }).ClickAsync();
        await Expect(page.Locator("table.calls tbody tr").First).ToHaveAttributeAsync("data-call-id", Ids(third)[0]);
        Assert.Equal(Ids(third), await ShownIdsAsync(page));

        await page.GetByRole(AriaRole.Link, new() { Name = "Previous" }).ClickAsync();
        await Expect(page.Locator("table.calls tbody tr").First).ToHaveAttributeAsync("data-call-id", Ids(second)[0]);
        Assert.Equal(Ids(second), await ShownIdsAsync(page));
        await page.GetByRole(AriaRole.Link, new() { Name = "Previous" }).ClickAsync();
        await Expect(page.Locator("table.calls tbody tr").First).ToHaveAttributeAsync("data-call-id", Ids(first)[0]);
        Assert.Equal(Ids(first), await ShownIdsAsync(page));
    }

    [Fact]
    public async Task A_zone_change_moves_a_2330Z_call_to_the_next_local_day()
    {
        var late = Gateway.LateCallStart;
        var page = await SignedInAsync($"/dashboard/calls?to={Uri.EscapeDataString(DashboardGateway.LateCallTo)}&tz=UTC");
        var started = page.Locator("table.calls tbody tr td:nth-child(7) time");
        await Expect(started).ToHaveTextAsync(late.ToString("yyyy-MM-dd 23:30:00", CultureInfo.InvariantCulture));

        await page.GetByLabel("Time zone").SelectOptionAsync("Europe/Istanbul");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("Istanbul", StringComparison.Ordinal));
        await Expect(started).ToHaveTextAsync(late.AddDays(1).ToString("yyyy-MM-dd 02:30:00", CultureInfo.InvariantCulture));
        await Expect(started).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("UTC\\+03:00 \\(Europe/Istanbul\\)"));
        await Expect(page.Locator(".zone")).ToContainTextAsync("Europe/Istanbul");
    }

    [Fact]
    public async Task The_phone_number_search_finds_the_calls_to_that_number()
    {
        var page = await SignedInAsync("/dashboard/calls?tz=UTC");
        await page.GetByLabel("Phone number").FillAsync(DashboardGateway.LateCallTo);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("to=%2B905550002330", StringComparison.Ordinal));
        var api = await ApiAsync($"{List}?to=%2B905550002330&tz=UTC");
        Assert.Equal(Ids(api), await ShownIdsAsync(page));
        Assert.Single(Ids(api));
    }

    [Fact]
    public async Task The_export_is_every_call_of_the_filter_as_CSV()
    {
        var page = await SignedInAsync("/dashboard/calls?status=completed&tz=UTC");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).ClickAsync());
        var lines = (await File.ReadAllLinesAsync((await download.PathAsync())!, TestContext.Current.CancellationToken)).ToList();
        Assert.Equal("call_id,status,from,to,agent_id,direction,started_at,ended_at,duration_sec", lines[0]);
        var total = (await ApiAsync($"{List}?status=completed&include_total=true"))["meta"]!["total"]!.GetValue<long>();
        Assert.Equal(total, lines.Count - 1);
        Assert.All(lines.Skip(1), line => Assert.Equal("completed", line.Split(',')[1]));
    }

    [Fact]
    public async Task A_call_made_through_the_API_announces_itself_on_an_open_calls_page_within_3_seconds()
    {
        var page = await SignedInAsync("/dashboard/calls?tz=UTC");
        var before = await ShownIdsAsync(page);
        var made = await CallsApi.MakeCallAsync(Gateway);

        var banner = page.Locator("[data-new-calls]");
        await Expect(banner).ToBeVisibleAsync(new() { Timeout = 3000 });
        await Expect(banner).ToContainTextAsync("1 new call");
        Assert.Equal(before, await ShownIdsAsync(page)); // nothing moved under the reader

        await banner.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.Locator("table.calls tbody tr").First).ToHaveAttributeAsync("data-call-id", made);
        await Expect(banner).ToBeHiddenAsync();
    }

    private static List<string> Ids(JsonNode page) => [.. page["data"]!.AsArray().Select(call => call!["call_id"]!.GetValue<string>())];

    private static async Task<List<string>> ShownIdsAsync(IPage page)
    {
        await Expect(page.Locator("table.calls")).ToBeVisibleAsync();
        return [.. await page.Locator("table.calls tbody tr[data-call-id] th").AllInnerTextsAsync()];
    }
}
