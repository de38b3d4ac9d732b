using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>
/// A newcomer's first run, as they live it: a fresh clone (no data folder, no build output), the README's first
/// command as written there, the curl line it prints, the List Calls document's own samples; and the gateway's
/// answer when its SQLite file cannot be where it is configured.
/// </summary>
[Trait("Storage", "SqliteOnly")]
public sealed partial class FirstRunTests : IAsyncLifetime
{
    private static readonly TimeSpan s_buildAndStart = TimeSpan.FromMinutes(5);
    private readonly string _directory = Directory.CreateTempSubdirectory("salpre-first-run-").FullName;
    private string? _mounted;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_mounted is not null)
        {
            await Shell.RunAsync("umount", _mounted);
        }
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_READMEs_first_command_in_a_fresh_clone_serves_what_its_curl_line_and_the_documents_samples_ask()
    {
        var clone = Path.Combine(_directory, "fresh");
        var cloned = await Shell.RunAsync("git", "clone", "--quiet", GatewayProcess.RepositoryRoot(), clone);
        Assert.True(cloned.Code == 0, cloned.Error);
        Assert.False(Directory.Exists(Path.Combine(clone, "src", "Salpre.Gateway", "data")));
        var command = FirstReadmeCommand(await File.ReadAllTextAsync(Path.Combine(clone, "README.md"), TestContext.Current.CancellationToken));
        Assert.Contains("--demo", command, StringComparison.Ordinal);

        await using var gateway = GatewayProcess.StartCommand(clone, ReadmeEnvironment(), "bash", "-c", command);
        var curlLine = await gateway.WaitForLineAsync("curl ", s_buildAndStart);
        var key = KeyPattern().Match(curlLine).Value;
        var baseUrl = AddressPattern().Match(curlLine).Value;
        Assert.NotEmpty(key);
        Assert.NotEmpty(baseUrl);

        // The printed line, as pasted into a shell, told only to add the status code after the body.
        var printed = await Shell.RunAsync("bash", "-c", curlLine + " --silent --show-error --write-out '\\n%{http_code}'");
        var (body, status) = SplitStatus(printed.Output);
        Assert.Equal("200", status);
        AssertDocumentedPage(JsonNode.Parse(body)!);

        // The document's own curl sample, with only the address and the key changed; and with its placeholder key.
        var document = ListCallsDocument();
        var curlSample = Between(document, "cURL (Bash)", "JavaScript (Fetch)").Replace("\\\n", " ", StringComparison.Ordinal);
        var sample = await Shell.RunAsync("bash", "-c", ForThisGateway(curlSample, baseUrl, key));
        AssertDocumentedPage(JsonNode.Parse(sample.Output)!);
        var placeholder = await Shell.RunAsync("bash", "-c", ForThisGateway(curlSample, baseUrl, "YOUR_API_KEY"));
        Assert.StartsWith("""{"status":"error","message":"Unauthorized. Missing or invalid account-secret-key",""", placeholder.Output);

        // The document's JavaScript sample, run by Node; a preloaded console.log prints what it logs as JSON.
        var script = Path.Combine(_directory, "sample.js");
        await File.WriteAllTextAsync(script, ForThisGateway(Between(document, "JavaScript (Fetch)", "Example response"), baseUrl, key), TestContext.Current.CancellationToken);
        var preload = Path.Combine(_directory, "log-as-json.cjs");
        await File.WriteAllTextAsync(preload,
            "console.log = (...values) => process.stdout.write(JSON.stringify(values.length === 1 ? values[0] : values) + '\\n');",
            TestContext.Current.CancellationToken);
        var node = await Shell.RunAsync("node", "--require", preload, script);
        Assert.True(node.Code == 0, node.Error);
        AssertDocumentedPage(JsonNode.Parse(node.Output)!);

        // The printed make-call line places a call that the simulated box takes.
        var makeCallLine = await gateway.WaitForLineAsync("curl --location --request POST", TimeSpan.FromSeconds(5));
        var made = JsonNode.Parse((await Shell.RunAsync("bash", "-c", makeCallLine)).Output)!;
        Assert.Equal("success", made["status"]!.GetValue<string>());
        Assert.Equal("initiated", made["data"]!["status"]!.GetValue<string>());

        // The banner is the last thing printed at start, and the console reads as plain lines.
        var startOutput = gateway.Output.TrimEnd();
        Assert.EndsWith("press Ctrl+C to stop.", startOutput.Split('\n')[^1].TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("{\"EventId\"", startOutput, StringComparison.Ordinal);

        // Stopped by its id, as a service manager or Ctrl+C would: it exits cleanly and nothing listens any more.
        Assert.Equal(0, await gateway.StopAsync(TimeSpan.FromSeconds(30)));
        var after = await Shell.RunAsync("curl", "--silent", "--max-time", "5", baseUrl + "/healthz");
        Assert.NotEqual(0, after.Code);
    }

    [Fact]
    public async Task A_database_folder_that_does_not_exist_yet_is_made()
    {
        var database = Path.Combine(_directory, "not", "yet", "salpre.db");
        await using var gateway = GatewayProcess.Start(_directory, StorageAt(database), "--urls", "http://127.0.0.1:0");
        var address = await gateway.WaitForAddressAsync(TimeSpan.FromSeconds(60));

        using var http = new HttpClient { BaseAddress = address };
        var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.True(File.Exists(database));
        Assert.Equal(0, await gateway.StopAsync(TimeSpan.FromSeconds(20)));
    }

    [Theory]
    [InlineData("a folder under a file", "its folder * cannot be created")]
    [InlineData("a folder it may not write", "its folder * is not writable")]
    [InlineData("a folder in place of the file", "it is a folder, not a database file")]
    [InlineData("a file that is not a database", "file is not a database")]
    public async Task A_database_path_it_cannot_use_stops_it_with_one_line_that_names_the_path_and_the_reason(string where, string reason)
    {
        var database = await UnusableDatabasePathAsync(where);
        await using var gateway = GatewayProcess.Start(_directory, StorageAt(database), "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(gateway.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"Cannot serve the SQLite database {database}: ", line, StringComparison.Ordinal);
        Assert.Matches(Regex.Escape(reason).Replace("\\*", ".+", StringComparison.Ordinal), line);
        Assert.DoesNotContain("Another gateway", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_demo_nothing_is_invented_and_no_secret_is_printed()
    {
        var database = Path.Combine(_directory, "salpre.db");
        await using var gateway = GatewayProcess.Start(_directory, StorageAt(database), "--urls", "http://127.0.0.1:0");
        await gateway.WaitForAddressAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(500, TestContext.Current.CancellationToken);

        Assert.Equal(0, await gateway.StopAsync(TimeSpan.FromSeconds(20)));
        Assert.DoesNotContain("slp_sk_", gateway.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("curl", gateway.Output, StringComparison.Ordinal);
        // Not a terminal and not the demo: a service's JSON lines.
        Assert.All(gateway.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => JsonNode.Parse(line));
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM calls)";
        Assert.Equal(0L, await count.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    private async Task<string> UnusableDatabasePathAsync(string where)
    {
        switch (where)
        {
            case "a folder under a file":
                var file = Path.Combine(_directory, "plain-file");
                await File.WriteAllTextAsync(file, "not a folder");
                return Path.Combine(file, "data", "salpre.db");
            case "a folder it may not write":
                var locked = Directory.CreateDirectory(Path.Combine(_directory, "read-only")).FullName;
                if (Environment.UserName == "root")
                {
                    // Root writes through any mode bits; a read-only file system stops even root.
                    var mounted = await Shell.RunAsync("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", locked);
                    Assert.True(mounted.Code == 0, $"This test mounts a read-only tmpfs as root and could not: {mounted.Error}");
                    _mounted = locked;
                }
                else
                {
                    Assert.Equal(0, (await Shell.RunAsync("chmod", "555", locked)).Code);
                }
                return Path.Combine(locked, "salpre.db");
            case "a folder in place of the file":
                return Directory.CreateDirectory(Path.Combine(_directory, "salpre.db")).FullName;
            case "a file that is not a database":
                var text = Path.Combine(_directory, "notes.db");
                await File.WriteAllTextAsync(text, new string('x', 4096));
                return text;
            default:
                throw new ArgumentOutOfRangeException(nameof(where), where, null);
        }
    }

    private static Dictionary<string, string> StorageAt(string database) => new() { ["Storage__ConnectionString"] = $"Data Source={database}" };

    /// <summary>
    /// The test's own environment, less what the test host sets for its own MSBuild, and with build servers that
    /// outlive the build turned off (they would keep the process's output open). Any free port, not 5080.
    /// </summary>
    private static Dictionary<string, string?> ReadmeEnvironment()
    {
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(name => name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.Ordinal))
            .ToDictionary(name => name, string? (_) => null);
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        environment["UseSharedCompilation"] = "false";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return environment;
    }

    /// <summary>The first command of the README's first fenced shell block: its first line that is not a comment.</summary>
    private static string FirstReadmeCommand(string readme)
    {
        var block = FencedShellBlock().Match(readme);
        Assert.True(block.Success, "README.md has no fenced shell block.");
        return block.Groups["body"].Value.Split('\n').Select(line => line.Trim())
            .First(line => line.Length > 0 && !line.StartsWith('#'));
    }


    /// <summary>Salpre's List Calls document, as kept in the repository (a clone anywhere has it).</summary>
    private static string ListCallsDocument()
    {
        var path = Path.Combine(GatewayProcess.RepositoryRoot(), "docs", "spec", "list-calls.txt");
        return File.Exists(path) ? File.ReadAllText(path) : throw new FileNotFoundException($"The List Calls document is missing: {path}");
    }

    private static string Between(string text, string after, string before)
    {
        var start = text.IndexOf(after, StringComparison.Ordinal) + after.Length;
        return text[start..text.IndexOf(before, start, StringComparison.Ordinal)].Trim();
    }

    private static string ForThisGateway(string sample, string baseUrl, string key) => sample
        .Replace("https://ai.salpre.com", baseUrl, StringComparison.Ordinal)
        .Replace("YOUR_API_KEY", key, StringComparison.Ordinal);

    private static (string Body, string Status) SplitStatus(string output)
    {
        var last = output.LastIndexOf('\n');
        return (output[..last], output[(last + 1)..].Trim());
    }

    private static void AssertDocumentedPage(JsonNode page)
    {
        Assert.Equal("success", page["status"]!.GetValue<string>());
        Assert.Equal(10, page["data"]!.AsArray().Count);
        Assert.Equal(
            ["call_id", "status", "from", "to", "agent_id", "direction", "started_at", "ended_at", "duration_sec"],
            WireResponse.FieldOrder(page["data"]![0]!));
        Assert.Equal(10, page["meta"]!["per_page"]!.GetValue<int>());
        Assert.Equal(1, page["meta"]!["page"]!.GetValue<int>());
        Assert.True(page["meta"]!["has_next"]!.GetValue<bool>());
    }

    [GeneratedRegex("```(?:bash|sh|shell)\\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedShellBlock();

    [GeneratedRegex("slp_sk_[0-9A-Za-z]{49}")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("http://127\\.0\\.0\\.1:[0-9]+")]
    private static partial Regex AddressPattern();
}
