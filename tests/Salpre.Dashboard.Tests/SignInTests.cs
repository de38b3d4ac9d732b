using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Salpre.Dashboard.Tests.Infrastructure;
using Salpre.Gateway.Dashboard;
using Salpre.Storage.Accounts;
using Salpre.Storage.Dashboard;
using static Microsoft.Playwright.Assertions;

namespace Salpre.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class SignInTests(DashboardGateway gateway, Chromium chromium) : DashboardTest(gateway, chromium)
{
    public static TheoryData<string> Pages => ["/dashboard", "/dashboard/calls?status=failed", "/dashboard/calls/c1", "/dashboard/devices", "/dashboard/place-call"];

    [Fact]
    public async Task A_bad_key_is_refused_and_a_read_key_signs_in_without_the_key_in_any_address_or_readable_cookie()
    {
        ExpectStatus(401);
        var page = await OpenAsync();
        await page.GotoAsync("/dashboard/sign-in");
        await page.GetByLabel("Account key").FillAsync("slp_sk_not-a-real-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("[data-error]")).ToContainTextAsync("not valid");
        Assert.Contains("/dashboard/sign-in", page.Url, StringComparison.Ordinal);

        await page.GetByLabel("Account key").FillAsync(Gateway.ReadKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboard(\\?tz=.*)?$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();

        var cookies = await page.Context.CookiesAsync();
        var session = Assert.Single(cookies, cookie => cookie.Name == DashboardSessions.CookieName);
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain(Gateway.ReadKey, session.Value, StringComparison.Ordinal);
        Assert.DoesNotContain(Gateway.ReadKey, page.Url, StringComparison.Ordinal);
        Assert.Equal("", await page.EvaluateAsync<string>("document.cookie"));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Without_the_cookie_every_page_leads_to_sign_in_and_back_after_it(string path)
    {
        var page = await OpenAsync();
        await page.GotoAsync(path);
        Assert.Contains("/dashboard/sign-in?return_to=", page.Url, StringComparison.Ordinal);
        await Expect(page.GetByLabel("Account key")).ToBeVisibleAsync();

        ExpectStatus(404);
        await page.GetByLabel("Account key").FillAsync(Gateway.Account.Key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/sign-in", StringComparison.Ordinal));
        Assert.Contains(path.Split('?')[0], page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_live_stream_and_the_rows_answer_401_without_a_session()
    {
        using var client = Gateway.Client();
        foreach (var path in new[] { "/dashboard/events", "/dashboard/calls/rows", "/dashboard/calls/export.csv" })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_one_time_link_signs_in_once()
    {
        ExpectStatus(401);
        var token = await SignInLinks.CreateAsync(Gateway.Services.GetRequiredService<IDashboardStore>(), Gateway.ReadKeyId, DateTimeOffset.UtcNow,
            TestContext.Current.CancellationToken);
        var link = SignInLinks.Address(Gateway.BaseAddress.ToString(), token);

        var first = await OpenAsync();
        await first.GotoAsync(link);
        await Expect(first.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        Assert.DoesNotContain(token, first.Url, StringComparison.Ordinal);
        await Expect(first.GetByRole(AriaRole.Link, new() { Name = "Place a call" })).ToHaveCountAsync(0); // a read key's session

        var second = await OpenAsync();
        await second.GotoAsync(link);
        await Expect(second.Locator("[data-error]")).ToContainTextAsync("works once");
    }

    [Fact]
    public async Task A_revoked_keys_session_ends_within_the_revocation_window()
    {
        var (keyId, key) = await Gateway.CreateKeyAsync(Gateway.Account.Id, KeyScopes.Read);
        var page = await SignedInAsync("/dashboard/devices?tz=UTC", key);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Devices", Level = 1 })).ToBeVisibleAsync();

        Assert.True(await Gateway.Accounts.RevokeKeyAsync(keyId, TestContext.Current.CancellationToken));
        // The open page's live stream tells it, and it reloads onto the sign-in form; so does any new request.
        await page.WaitForURLAsync(url => url.Contains("/dashboard/sign-in", StringComparison.Ordinal), new() { Timeout = 3000 });
        await page.GotoAsync("/dashboard/calls");
        Assert.Contains("/dashboard/sign-in", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_out_ends_the_session()
    {
        var page = await SignedInAsync("/dashboard/devices?tz=UTC");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/dashboard/sign-in", StringComparison.Ordinal));
        await page.GotoAsync("/dashboard/devices");
        Assert.Contains("/dashboard/sign-in", page.Url, StringComparison.Ordinal);
    }
}
