using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Salpre.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Salpre.Dashboard.Tests;

/// <summary>axe-core on every page, at a desktop and a phone width; and the filters by their visible labels, by keyboard.</summary>
[Collection(DashboardCollection.Name)]
public sealed class AccessibilityTests(DashboardGateway gateway, Chromium chromium) : DashboardTest(gateway, chromium)
{
    public static TheoryData<string, int> Pages => new()
    {
        { "/dashboard?tz=Europe/Istanbul", 1280 }, { "/dashboard/calls?tz=Europe/Istanbul", 1280 }, { "/dashboard/calls/c1?tz=Europe/Istanbul", 1280 },
        { "/dashboard/devices?tz=Europe/Istanbul", 1280 }, { "/dashboard/place-call?tz=Europe/Istanbul", 1280 },
        { "/dashboard?tz=Europe/Istanbul", 390 }, { "/dashboard/calls?status=completed&tz=Europe/Istanbul", 390 }, { "/dashboard/calls/c1?tz=Europe/Istanbul", 390 },
        { "/dashboard/devices?tz=Europe/Istanbul", 390 }, { "/dashboard/place-call?tz=Europe/Istanbul", 390 },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_page_has_no_serious_or_critical_axe_violation_and_no_sideways_scroll(string path, int width)
    {
        var page = await SignedInAsync(path, width: width);
        await AssertAxeAsync(page);
        // A phone reads the page without scrolling it sideways (wide tables scroll inside their own box).
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth + 1"), $"{path} scrolls sideways at {width}px");
    }

    [Fact]
    public async Task The_sign_in_page_has_no_serious_or_critical_axe_violation()
    {
        var page = await OpenAsync();
        await page.GotoAsync("/dashboard/sign-in");
        await AssertAxeAsync(page);
    }

    [Fact]
    public async Task Every_filter_has_its_visible_label_and_the_form_works_from_the_keyboard()
    {
        var page = await SignedInAsync("/dashboard/calls?tz=UTC");
        await page.GetByText("Filters", new() { Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Enter"); // opens the filters
        foreach (var label in new[] { "Status", "Agent", "Direction", "To", "From", "From date", "To date", "Minimum duration", "Maximum duration", "Order", "Time zone" })
        {
            await Expect(page.GetByLabel(label, new() { Exact = true })).ToBeVisibleAsync();
            await Expect(page.Locator("label", new() { HasTextString = label }).First).ToBeVisibleAsync();
        }
        await page.GetByLabel("Direction", new() { Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown"); // outbound
        await page.GetByLabel("Minimum duration").FocusAsync();
        await page.Keyboard.TypeAsync("60");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => url.Contains("min_duration=60", StringComparison.Ordinal));
        Assert.Contains("direction=outbound", page.Url, StringComparison.Ordinal);
    }

    private static async Task AssertAxeAsync(IPage page)
    {
        var results = await page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")));
    }
}
