using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Salpre.Client;
using Salpre.Client.Tests.Infrastructure;
using Salpre.Gateway.Admin;

namespace Salpre.Cli.Tests;

/// <summary>
/// <c>salpre calls export</c>: the gateway's export streamed into a file that appears only when complete, and the
/// move from one gateway to another in two commands (export, then the gateway's own import).
/// </summary>
public sealed class ExportTests(ExportTests.Seeded source) : IClassFixture<ExportTests.Seeded>, IDisposable
{
    public sealed class Seeded : GatewayServer
    {
        public TestAccount Account { get; private set; } = null!;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Account = await CreateAccountAsync();
            await SeedAsync(Account.Id, 10_000, seed: 7);
        }
    }

    private readonly string _folder = Directory.CreateTempSubdirectory("salpre-export-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<List<Call>> AllCallsAsync(GatewayServer gateway, string key)
    {
        using var client = gateway.Client(key);
        return await client.Calls.ListAllAsync(new CallListOptions { PerPage = 100 }, Cancel).ToListAsync(Cancel);
    }

    [Fact]
    public async Task Export_then_import_moves_10000_calls_to_another_gateway_losing_and_duplicating_nothing()
    {
        var file = Path.Combine(_folder, "history.ndjson");
        var exported = await SalpreRun.RunAsync(SalpreRun.For(source, source.Account.Key), ["calls", "export", "--format", "ndjson", "--output", file]);
        await using var target = new GatewayServer();
        var (key, imported) = await ImportIntoAsync(target, file);

        Assert.Equal((ExitCodes.Success, "", ""), (exported.ExitCode, exported.Out, exported.Error));
        Assert.Equal(10_000, File.ReadLines(file).Count());
        Assert.Equal(10_000, imported);
        var before = await AllCallsAsync(source, source.Account.Key);
        var after = await AllCallsAsync(target, key);
        Assert.Equal(10_000, after.Select(call => call.CallId).Distinct().Count());
        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData("ndjson")]
    [InlineData("csv")]
    public async Task Export_with_details_moves_recordings_transcripts_and_variables_too(string format)
    {
        var file = Path.Combine(_folder, $"details.{format}");
        var exported = await SalpreRun.RunAsync(SalpreRun.For(source, source.Account.Key), [
            "calls", "export", "--with-details", "--agent", "2", "--status", "completed,ringing", "--format", format, "--output", file,
        ]);
        await using var target = new GatewayServer();
        var (key, imported) = await ImportIntoAsync(target, file);

        Assert.Equal(ExitCodes.Success, exported.ExitCode);
        using var from = source.Client(source.Account.Key);
        using var to = target.Client(key);
        var calls = await from.Calls.ListAllAsync(new CallListOptions { PerPage = 100, AgentIds = [2], Statuses = [CallStatus.Completed, CallStatus.Ringing] }, Cancel).ToListAsync(Cancel);
        Assert.Equal(calls.Count, imported);
        Assert.Contains(calls, call => call.Status == CallStatus.Completed);
        foreach (var call in calls)
        {
            var original = await from.Calls.GetAsync(call.CallId, Cancel);
            var moved = await to.Calls.GetAsync(call.CallId, Cancel);
            Assert.Equal(
                JsonSerializer.Serialize(original, Salpre.Client.Serialization.SalpreJsonContext.Default.CallDetails),
                JsonSerializer.Serialize(moved, Salpre.Client.Serialization.SalpreJsonContext.Default.CallDetails));
        }
    }

    /// <summary>
    /// The second half of a move: an account made and the file imported by the gateway's own commands into
    /// <paramref name="target"/>'s fresh store, which then starts serving. Returns the account's key and the count imported.
    /// </summary>
    private static async Task<(string Key, int Imported)> ImportIntoAsync(GatewayServer target, string file)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Storage:ConnectionString", $"Data Source={target.DatabasePath}")])
            .Build();
        var created = await AdminAsync(configuration, "accounts", "create", "--name", "Moved here", "--json");
        var accountId = created.GetProperty("account_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var report = await AdminAsync(configuration, "import", "--account", accountId, "--file", file, "--json");
        Assert.Equal(0, report.GetProperty("already_present").GetInt32());
        await target.InitializeAsync();
        return (created.GetProperty("secret_key").GetString()!, report.GetProperty("imported").GetInt32());
    }

    /// <summary>Runs a gateway admin command with <c>--json</c> and returns the JSON line it ends with.</summary>
    private static async Task<JsonElement> AdminAsync(IConfiguration configuration, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await AdminCommands.RunAsync(args, configuration, output, error, Cancel);
        Assert.True(exitCode == 0, $"{string.Join(' ', args)}: {error}");
        return JsonDocument.Parse(output.ToString().Trim().Split('\n')[^1]).RootElement.Clone();
    }

    [Fact]
    public async Task Export_as_csv_writes_the_header_and_every_filtered_call()
    {
        var file = Path.Combine(_folder, "failed.csv");
        using var client = source.Client(source.Account.Key);
        var expected = await client.Calls.ListAllAsync(new CallListOptions { PerPage = 100, Statuses = [CallStatus.Failed], AgentIds = [2] }, Cancel).ToListAsync(Cancel);

        var result = await SalpreRun.RunAsync(SalpreRun.For(source, source.Account.Key), ["calls", "export", "--status", "failed", "--agent", "2", "--format", "csv", "-o", file]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = File.ReadAllLines(file);
        Assert.Equal("call_id,status,from,to,agent_id,direction,started_at,ended_at,duration_sec", lines[0]);
        Assert.Equal(expected.Select(call => call.CallId), lines.Skip(1).Select(line => line.Split(',')[0]));
        Assert.All(lines.Skip(1), line => Assert.Equal("failed", line.Split(',')[1]));
        Assert.Equal([file], Directory.GetFiles(_folder).AsEnumerable());
    }

    [Fact]
    public async Task On_a_terminal_the_export_reports_its_count_and_rate()
    {
        var file = Path.Combine(_folder, "watched.ndjson");

        var result = await SalpreRun.RunAsync(SalpreRun.For(source, source.Account.Key), ["calls", "export", "--agent", "3", "-o", file], errorIsTerminal: true);

        Assert.Equal((ExitCodes.Success, ""), (result.ExitCode, result.Out));
        var count = File.ReadLines(file).Count();
        Assert.Matches($@"Exported {count:N0} calls to {System.Text.RegularExpressions.Regex.Escape(file)} in [0-9.]+ s \([0-9,]+ calls/s\)\.", result.Error);
    }

    [Fact]
    public async Task Ctrl_C_during_an_export_leaves_the_previous_file_intact_and_no_partial_file()
    {
        // A key of one request a second pays for its export's calls as they go: 3,000 calls take two seconds.
        await using var slow = new GatewayServer().With("RateLimiting:RequestsPerSecond", "1").With("RateLimiting:Burst", "1");
        await slow.InitializeAsync();
        var account = await slow.CreateAccountAsync();
        await slow.SeedAsync(account.Id, 3_000, seed: 7);
        var file = Path.Combine(_folder, "history.ndjson");
        await File.WriteAllTextAsync(file, "previous export\n", Cancel);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        var export = SalpreRun.RunAsync(SalpreRun.For(slow, account.Key), ["calls", "export", "--output", file], interrupt.Token);
        while (!export.IsCompleted && Directory.GetFiles(_folder).Length < 2)
        {
            await Task.Delay(10, Cancel);
        }
        await Task.Delay(200, Cancel);
        await interrupt.CancelAsync();
        var result = await export;

        Assert.Equal(ExitCodes.Interrupted, result.ExitCode);
        Assert.Equal("salpre: interrupted\n", result.Error.ReplaceLineEndings("\n"));
        Assert.Equal("previous export\n", await File.ReadAllTextAsync(file, Cancel));
        Assert.Equal([file], Directory.GetFiles(_folder).AsEnumerable());
    }

    [Fact]
    public async Task An_export_that_fails_midway_leaves_no_file()
    {
        var file = Path.Combine(_folder, "never.ndjson");

        var result = await SalpreRun.RunAsync(SalpreRun.For(source, "slp_sk_revoked-or-wrong"), ["calls", "export", "--output", file]);

        Assert.Equal(ExitCodes.Unauthorized, result.ExitCode);
        Assert.Empty(Directory.GetFiles(_folder));
    }
}
