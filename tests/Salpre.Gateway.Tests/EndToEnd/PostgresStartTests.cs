using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Tests.Shared;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>
/// The gateway process on PostgreSQL: it does not migrate at start unless told to, refuses a schema that is behind,
/// and serves once an operator has run <c>migrate</c> (which several nodes may run at once).
/// </summary>
public sealed class PostgresStartTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("salpre-pg-start-").FullName;
    private PostgresServer _server = null!;
    private string _database = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await PostgresServer.SharedAsync();
        _database = await _server.CreateEmptyDatabaseAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DropDatabaseAsync(_database);
        Directory.Delete(_directory, recursive: true);
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) =>
        Shell.RunAsync("env", ["Storage__Provider=postgres", $"Storage__ConnectionString={_database}", "dotnet", GatewayProcess.GatewayDll(), .. args]);

    [Fact]
    public async Task Refuses_to_start_on_a_schema_that_is_behind_and_says_to_run_migrate()
    {
        var run = await RunAsync("--urls", "http://127.0.0.1:0");

        Assert.Equal(1, run.Code);
        Assert.Contains("schema is behind", run.Error, StringComparison.Ordinal);
        Assert.Contains("migrate", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serves_after_migrate_run_by_several_nodes_at_once()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RunAsync("migrate")));

        Assert.All(runs, run => Assert.True(run.Code == 0, run.Output + run.Error));
        Assert.Single(runs, run => run.Output.StartsWith("Applied", StringComparison.Ordinal));
        await using var gateway = GatewayProcess.Start(_directory, new Dictionary<string, string>
        {
            ["Storage__Provider"] = "postgres",
            ["Storage__ConnectionString"] = _database,
        }, "--urls", "http://127.0.0.1:0");
        var address = await gateway.WaitForAddressAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = address };
        Assert.Equal(200, (int)(await client.GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Migrates_at_start_when_told_to()
    {
        await using var gateway = GatewayProcess.Start(_directory, new Dictionary<string, string>
        {
            ["Storage__Provider"] = "postgres",
            ["Storage__ConnectionString"] = _database,
            ["Storage__MigrateOnStart"] = "true",
        }, "--urls", "http://127.0.0.1:0");
        var address = await gateway.WaitForAddressAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = address };

        Assert.Equal(200, (int)(await client.GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Contains("up to date", (await RunAsync("migrate")).Output, StringComparison.Ordinal);
    }
}
