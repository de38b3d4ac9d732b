using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Salpre.Dashboard.Tests.Infrastructure;
using Salpre.Gateway.Dashboard;

namespace Salpre.Dashboard.Tests;

/// <summary>
/// The README's pictures, taken from the real pages (under the test output; copied to docs/ when
/// <c>SALPRE_UPDATE_SCREENSHOTS=1</c>), and the numbers of the bench report: the calls page's server time against the
/// API's list time for the same query, and what a first visit downloads.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed partial class ScreenshotTests(DashboardGateway gateway, Chromium chromium) : DashboardTest(gateway, chromium)
{
    [Fact]
    public async Task Each_page_is_photographed()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var callId = (await ApiAsync("/api/gateway/v1/call/list?status=completed&per_page=1"))["data"]![0]!["call_id"]!.GetValue<string>();
        var shots = new (string Name, string Path, int Width)[]
        {
            ("overview", "/dashboard?range=7d&tz=Europe/Istanbul", 1280),
            ("calls", "/dashboard/calls?tz=Europe/Istanbul", 1280),
            ("call", $"/dashboard/calls/{callId}?tz=Europe/Istanbul", 1280),
            ("devices", "/dashboard/devices?tz=Europe/Istanbul", 1280),
            ("place-call", "/dashboard/place-call?tz=Europe/Istanbul", 1280),
            ("calls-phone", "/dashboard/calls?status=completed&tz=Europe/Istanbul", 390),
        };
        var signIn = await OpenAsync();
        await signIn.GotoAsync("/dashboard/sign-in");
        await signIn.ScreenshotAsync(new() { Path = Path.Combine(folder, "dashboard-sign-in.png") });
        foreach (var (name, path, width) in shots)
        {
            var page = await SignedInAsync(path, width: width);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"dashboard-{name}.png"), FullPage = true });
        }
        if (Environment.GetEnvironmentVariable("SALPRE_UPDATE_SCREENSHOTS") == "1")
        {
            var docs = Path.Combine(RepositoryRoot(), "docs");
            foreach (var file in Directory.GetFiles(folder, "*.png"))
            {
                File.Copy(file, Path.Combine(docs, Path.GetFileName(file)), overwrite: true);
            }
        }
        Assert.Equal(shots.Length + 1, Directory.GetFiles(folder, "*.png").Length);
    }

    [Fact]
    public async Task The_calls_page_and_the_APIs_list_take_comparable_server_time_and_a_first_visit_downloads_little()
    {
        // The page's own cookie, taken from a browser that signed in.
        var page = await SignedInAsync("/dashboard/calls?tz=UTC");
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == DashboardSessions.CookieName);
        using var browser = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = Gateway.BaseAddress };
        browser.DefaultRequestHeaders.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        using var api = Gateway.Client(Gateway.Account.Key);
        api.DefaultRequestHeaders.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        const string query = "status=completed,busy&agent_id=3,5&tz=UTC";

        var pageMs = await MedianAsync(browser, $"/dashboard/calls?{query}");
        var apiMs = await MedianAsync(api, $"/api/gateway/v1/call/list?{query}&include_total=true");

        // What a first visit's HTML names: one script and one style sheet, fetched compressed.
        var html = await browser.GetStringAsync(new Uri($"/dashboard/calls?{query}", UriKind.Relative), TestContext.Current.CancellationToken);
        long weight = 0;
        using var assets = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = Gateway.BaseAddress };
        foreach (Match asset in AssetPattern().Matches(html))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, asset.Groups[1].Value);
            request.Headers.AcceptEncoding.ParseAdd("br, gzip");
            using var response = await assets.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
            weight += (await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length;
        }
        var line = string.Create(CultureInfo.InvariantCulture,
            $"dashboard bench: calls page {pageMs:0.00} ms, API list {apiMs:0.00} ms (same query, include_total, median of 50; ratio {pageMs / apiMs:0.00}); first visit script+style {weight} bytes compressed");
        TestContext.Current.SendDiagnosticMessage(line);
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "dashboard-bench.txt"), line + "\n", TestContext.Current.CancellationToken);
        Assert.Equal(2, AssetPattern().Matches(html).Count);
        Assert.True(weight < 150 * 1024, $"{weight} bytes");
    }

    private static async Task<double> MedianAsync(HttpClient client, string path)
    {
        var times = new List<double>();
        for (var i = 0; i < 60; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
            await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (i >= 10) times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds); // the first ten warm up
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Salpre.slnx")))
        {
            folder = folder.Parent;
        }
        return folder!.FullName;
    }

    [GeneratedRegex("(?:src|href)=\"(/dashboard/assets/[^\"]+)\"")]
    private static partial Regex AssetPattern();
}
