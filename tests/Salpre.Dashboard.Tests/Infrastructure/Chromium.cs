using Microsoft.Playwright;

namespace Salpre.Dashboard.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (whose own browser downloads are not used): headless, without the sandbox
/// (the suite runs as root), with a fresh profile. A machine without it fails every test, loudly, and says how to
/// install it.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary><c>CHROMIUM_PATH</c>, else Debian's binary (its /usr/bin/chromium wrapper script adds nothing here).</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path
        : File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium"
        : "/usr/bin/chromium";

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"The dashboard's browser tests need Chromium at {ExecutablePath}: install it with `sudo apt-get install -y chromium` " +
                "(./test.sh does so as root), or set CHROMIUM_PATH.");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            ChromiumSandbox = false,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-dev-shm-usage"],
        });
        TestContext.Current.SendDiagnosticMessage($"Chromium {Browser.Version} at {ExecutablePath}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
    }
}
