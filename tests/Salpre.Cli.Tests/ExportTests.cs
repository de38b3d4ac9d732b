using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Salpre.Client;
using Salpre.Client.Tests.Infrastructure;
using Salpre.Gateway.Admin;

namespace Salpre.Cli.Tests;

/// <summary>
/// <c>salpre calls export</c>: every page through the cursor into a file that appears only when complete, and the
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

        // The second gateway: a fresh store, an account made and the file imported by the gateway's own commands.
        await using var target = new GatewayServer();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Storage:ConnectionString", $"Data Source={target.DatabasePath}")])
            .Build();
        var (accountId, key) = await CreateAccountAsync(configuration);
        using var importOutput = new StringWriter();
        using var importError = new StringWriter();
        var imported = await AdminCommands.RunAsync(["import", "--account", accountId, "--file", file, "--json"], configuration, importOutput, importError, Cancel);
        await target.InitializeAsync();

        Assert.Equal((ExitCodes.Success, "", ""), (exported.ExitCode, exported.Out, exported.Error));
        Assert.Equal(10_000, File.ReadLines(file).Count());
        Assert.True(imported == 0, importError.ToString());
        var report = JsonDocument.Parse(importOutput.ToString().Trim().Split('\n')[^1]).RootElement;
        Assert.Equal((10_000, 0), (report.GetProperty("imported").GetInt32(), report.GetProperty("already_present").GetInt32()));
        var before = await AllCallsAsync(source, source.Account.Key);
        var after = await AllCallsAsync(target, key);
        Assert.Equal(10_000, after.Select(call => call.CallId).Distinct().Count());
        Assert.Equal(before, after);
    }

    private static async Task<(string AccountId, string Key)> CreateAccountAsync(IConfiguration configuration)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, await AdminCommands.RunAsync(["accounts", "create", "--name", "Moved here", "--json"], configuration, output, error, Cancel));
        var result = JsonDocument.Parse(output.ToString().Trim().Split('\n')[^1]).RootElement;
        return (result.GetProperty("account_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), result.GetProperty("secret_key").GetString()!);
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
    public async Task Ctrl_C_during_an_export_leaves_the_previous_file_intact_and_no_partial_file()
    {
        var file = Path.Combine(_folder, "history.ndjson");
        await File.WriteAllTextAsync(file, "previous export\n", Cancel);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        // One call a request, so the export is still running when the interrupt comes.
        var export = SalpreRun.RunAsync(SalpreRun.For(source, source.Account.Key), ["calls", "export", "--per-page", "1", "--output", file], interrupt.Token);
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
