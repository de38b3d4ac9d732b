using System.Text.Json.Nodes;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>
/// A newcomer's first run, as the README tells it: the built gateway started with --demo prints a curl line; that
/// line, the document's curl sample and the document's JavaScript sample (on Node's fetch) all get the documented
/// answer. Then the process stops cleanly on SIGTERM.
/// </summary>
[Trait("Storage", "SqliteOnly")]
public sealed class FirstRunTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("salpre-first-run-").FullName;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["Storage__ConnectionString"] = $"Data Source={Path.Combine(_directory, "salpre.db")}",
    };

    [Fact]
    public async Task The_demo_prints_a_curl_line_that_works_and_so_do_the_documents_samples()
    {
        await using var gateway = GatewayProcess.Start(_directory, Environment(), "--demo", "--urls", "http://127.0.0.1:0");
        var curlLine = await gateway.WaitForLineAsync("curl ", TimeSpan.FromSeconds(60));
        var key = System.Text.RegularExpressions.Regex.Match(curlLine, "slp_sk_[0-9A-Za-z]{49}").Value;
        var baseUrl = System.Text.RegularExpressions.Regex.Match(curlLine, "http://127\\.0\\.0\\.1:[0-9]+").Value;
        Assert.NotEmpty(key);
        Assert.NotEmpty(baseUrl);

        // The printed line, as pasted into a shell.
        var printed = await Shell.RunAsync("bash", "-c", curlLine);
        AssertDocumentedPage(JsonNode.Parse(printed.Output)!);

        // The document's own curl sample, with only the address and the key changed.
        var sample = await Shell.RunAsync("bash", "-c",
            $"curl --location --request GET '{baseUrl}/api/gateway/v1/call/list?per_page=10' \\\n--header 'account-secret-key: {key}'");
        AssertDocumentedPage(JsonNode.Parse(sample.Output)!);

        // ...and with the document's placeholder key: the documented error.
        var placeholder = await Shell.RunAsync("bash", "-c",
            $"curl --location --request GET '{baseUrl}/api/gateway/v1/call/list?per_page=10' --header 'account-secret-key: YOUR_API_KEY'");
        Assert.StartsWith("""{"status":"error","message":"Unauthorized. Missing or invalid account-secret-key",""", placeholder.Output);

        // The document's JavaScript sample, run by Node's fetch.
        var script = Path.Combine(_directory, "sample.mjs");
        await File.WriteAllTextAsync(script, $$"""
            const myHeaders = new Headers();
            myHeaders.append("account-secret-key", "{{key}}");
            const requestOptions = {
            method: "GET",
            headers: myHeaders,
            redirect: "follow"
            };
            fetch("{{baseUrl}}/api/gateway/v1/call/list?per_page=10", requestOptions)
            .then(res => res.json())
            .then(result => console.log(JSON.stringify(result)))
            .catch(error => console.log("error", error));
            """, TestContext.Current.CancellationToken);
        var node = await Shell.RunAsync("node", script);
        Assert.Equal(0, node.Code);
        AssertDocumentedPage(JsonNode.Parse(node.Output)!);

        Assert.Equal(0, await gateway.StopAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Without_demo_nothing_is_invented_and_no_secret_is_printed()
    {
        await using var gateway = GatewayProcess.Start(_directory, Environment(), "--urls", "http://127.0.0.1:0");
        await gateway.WaitForLineAsync("{", TimeSpan.FromSeconds(60));
        await Task.Delay(500, TestContext.Current.CancellationToken);

        Assert.Equal(0, await gateway.StopAsync(TimeSpan.FromSeconds(20)));
        Assert.DoesNotContain("slp_sk_", gateway.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("curl", gateway.Output, StringComparison.Ordinal);
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "salpre.db")};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM calls)";
        Assert.Equal(0L, await count.ExecuteScalarAsync(TestContext.Current.CancellationToken));
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
}
