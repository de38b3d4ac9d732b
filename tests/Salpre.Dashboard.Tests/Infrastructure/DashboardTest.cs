using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Salpre.Dashboard.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardGateway>
{
    public const string Name = "Dashboard";
}

/// <summary>
/// A browser test: each page opens in a fresh context (Istanbul time unless told otherwise) whose every request is
/// checked: one that would leave the loopback is stopped and fails the test, and so does any console error or
/// uncaught script error the test did not expect. A failed test leaves a screenshot and a Playwright trace of each
/// page under <c>playwright-failures/</c> beside the test binaries.
/// </summary>
public abstract class DashboardTest(DashboardGateway gateway, Chromium chromium) : IAsyncLifetime
{
    public const string Istanbul = "Europe/Istanbul";

    private readonly List<IBrowserContext> _contexts = [];
    private readonly ConcurrentQueue<string> _consoleErrors = new();
    private readonly ConcurrentQueue<string> _leaks = new();
    private readonly HashSet<int> _expectedStatuses = [];

    protected DashboardGateway Gateway => gateway;

    public ValueTask InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(10_000);
        return ValueTask.CompletedTask;
    }

    /// <summary>A new page in a new context: no cookie, the given zone and screen width.</summary>
    protected async Task<IPage> OpenAsync(string timeZone = Istanbul, int width = 1280, int height = 900)
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = gateway.BaseAddress.ToString(),
            TimezoneId = timeZone,
            Locale = "en-US",
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        _contexts.Add(context);
        await context.Tracing.StartAsync(new TracingStartOptions { Screenshots = true, Snapshots = true, Sources = false });
        await context.RouteAsync("**/*", async route =>
        {
            var url = new Uri(route.Request.Url);
            if (url.Scheme is "http" or "https" or "ws" or "wss" && !IsLoopback(url.Host))
            {
                _leaks.Enqueue(route.Request.Url);
                await route.AbortAsync();
                return;
            }
            await route.ContinueAsync();
        });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !IsExpectedStatus(message.Text))
            {
                _consoleErrors.Enqueue($"{message.Location}: {message.Text}");
            }
        };
        page.PageError += (_, error) => _consoleErrors.Enqueue("uncaught: " + error);
        return page;
    }

    /// <summary>A page whose expected answer is this status (a refused sign-in, an unknown call): its console line is no error.</summary>
    protected void ExpectStatus(int status) => _expectedStatuses.Add(status);

    /// <summary>Signs in through the form, as a person pastes a key.</summary>
    protected static async Task SignInAsync(IPage page, string key, string path = "/dashboard")
    {
        await page.GotoAsync(path);
        await page.GetByLabel("Account key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/sign-in", StringComparison.Ordinal));
    }

    /// <summary>A signed-in page, in Istanbul time, at <paramref name="path"/>.</summary>
    protected async Task<IPage> SignedInAsync(string path, string? key = null, string timeZone = Istanbul, int width = 1280)
    {
        var page = await OpenAsync(timeZone, width);
        await SignInAsync(page, key ?? gateway.Account.Key, path);
        return page;
    }

    /// <summary>An API answer's data, through the account-secret-key header, as a backend reads it.</summary>
    protected async Task<JsonNode> ApiAsync(string pathAndQuery, string? key = null)
    {
        using var client = gateway.Client(key ?? gateway.Account.Key);
        var body = await client.GetStringAsync(new Uri(pathAndQuery, UriKind.Relative), TestContext.Current.CancellationToken);
        return JsonNode.Parse(body)!;
    }

    public async ValueTask DisposeAsync()
    {
        var failed = TestContext.Current.TestState?.Result == TestResult.Failed;
        var folder = Path.Combine(AppContext.BaseDirectory, "playwright-failures",
            string.Concat((TestContext.Current.Test?.TestDisplayName ?? "test").Split(Path.GetInvalidFileNameChars())));
        for (var i = 0; i < _contexts.Count; i++)
        {
            var context = _contexts[i];
            if (failed)
            {
                Directory.CreateDirectory(folder);
                foreach (var (page, n) in context.Pages.Select((page, n) => (page, n)))
                {
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"context{i}-page{n}.png"), FullPage = true });
                }
                await context.Tracing.StopAsync(new TracingStopOptions { Path = Path.Combine(folder, $"context{i}-trace.zip") });
            }
            else
            {
                await context.Tracing.StopAsync();
            }
            await context.CloseAsync();
        }
        if (failed)
        {
            TestContext.Current.SendDiagnosticMessage($"Screenshots and traces of the failed test: {folder}");
            return;
        }
        Assert.True(_leaks.IsEmpty, "Requests that would have left the loopback: " + string.Join(", ", _leaks));
        Assert.True(_consoleErrors.IsEmpty, "Console errors: " + string.Join("\n", _consoleErrors));
    }

    private bool IsExpectedStatus(string text) =>
        text.StartsWith("Failed to load resource: the server responded with a status of ", StringComparison.Ordinal)
        && _expectedStatuses.Any(status => text.Contains($"status of {status} ", StringComparison.Ordinal));

    private static bool IsLoopback(string host) =>
        host == "localhost" || IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
}
