using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Salpre.Dashboard.Tests.Infrastructure;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Dashboard.Tests;

/// <summary>
/// The List Calls document's JavaScript (Fetch) sample, as written (only its address and key changed), run inside a
/// page that Chromium loads from another loopback origin than the gateway's: the browser sends its preflight for the
/// account-secret-key header, and the sample gets the page of calls only when that origin is in Cors:AllowedOrigins.
/// </summary>
public sealed class CrossOriginBrowserTests(Chromium chromium) : IAsyncLifetime
{
    private WebApplication _pages = null!;
    private GatewayFactory _gateway = null!;
    private string _key = "";

    /// <summary>Two origins serving the same blank page: the gateway allows the first only.</summary>
    private string AllowedOrigin => _pages.Urls.First();

    private string OtherOrigin => _pages.Urls.Last();

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0", "http://127.0.0.1:0");
        _pages = builder.Build();
        _pages.MapGet("/", () => Results.Content("<!doctype html><title>CRM</title><p>CRM", "text/html"));
        await _pages.StartAsync();

        _gateway = new GatewayFactory().With("Cors:AllowedOrigins:0", AllowedOrigin);
        await _gateway.InitializeAsync();
        var account = await _gateway.CreateAccountAsync();
        _key = account.Key;
        await _gateway.SeedAsync(account.Id, CallData.Generate(12));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _pages.DisposeAsync();
    }

    [Fact]
    public async Task The_documents_sample_lists_the_calls_from_a_page_on_an_allowed_origin()
    {
        var logged = await RunSampleAsync(AllowedOrigin);

        var page = JsonDocument.Parse(logged).RootElement;
        Assert.Equal("success", page.GetProperty("status").GetString());
        Assert.Equal(10, page.GetProperty("data").GetArrayLength());
        Assert.True(page.GetProperty("meta").GetProperty("has_next").GetBoolean());
    }

    [Fact]
    public async Task The_browser_refuses_the_answer_to_a_page_on_another_origin()
    {
        var logged = await RunSampleAsync(OtherOrigin);

        Assert.Equal("""["error","TypeError: Failed to fetch"]""", logged);
    }

    /// <summary>Opens the origin's page, runs the sample there and returns what it logged, as JSON.</summary>
    private async Task<string> RunSampleAsync(string origin)
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(origin);
        Assert.Equal(origin.TrimEnd('/'), await page.EvaluateAsync<string>("location.origin"));

        // console.log keeps what it is given; the sample itself runs unchanged.
        await page.EvaluateAsync("""
            window.logged = [];
            console.log = (...args) => window.logged.push(args.length === 1 ? args[0] : args.map(String));
            """);
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Content = Sample() });
        // (Something logs a bare null before the sample does; what the sample logs is the first thing that is not.)
        await page.WaitForFunctionAsync("window.logged.some(x => x !== null)", null, new PageWaitForFunctionOptions { Timeout = 15_000 });
        return await page.EvaluateAsync<string>("JSON.stringify(window.logged.find(x => x !== null))");
    }

    private string Sample()
    {
        var document = File.ReadAllText(Path.Combine(GatewayProcess.RepositoryRoot(), "docs", "spec", "list-calls.txt"));
        var start = document.IndexOf("JavaScript (Fetch)", StringComparison.Ordinal) + "JavaScript (Fetch)".Length;
        var sample = document[start..document.IndexOf("Example response", start, StringComparison.Ordinal)];
        Assert.Contains("fetch(\"https://ai.salpre.com/api/gateway/v1/call/list?per_page=10\"", sample, StringComparison.Ordinal);
        return sample
            .Replace("https://ai.salpre.com", _gateway.BaseAddress.ToString().TrimEnd('/'), StringComparison.Ordinal)
            .Replace("YOUR_API_KEY", _key, StringComparison.Ordinal);
    }
}
