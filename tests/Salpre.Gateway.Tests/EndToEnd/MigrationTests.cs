using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>Processes started together on a new file (a gateway and an admin command, say) each migrate safely.</summary>
[Trait("Storage", "SqliteOnly")]
public sealed class MigrationTests
{
    [Fact]
    public async Task Processes_that_migrate_one_new_file_together_take_turns()
    {
        var directory = Directory.CreateTempSubdirectory("salpre-migrate-race-").FullName;
        try
        {
            var database = Path.Combine(directory, "race.db");
            var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
                Shell.RunAsync("env", $"Storage__ConnectionString=Data Source={database}", "dotnet", GatewayProcess.GatewayDll(), "migrate")));

            Assert.All(runs, run => Assert.True(run.Code == 0, run.Output + run.Error));
            Assert.Single(runs, run => run.Output.StartsWith("Applied", StringComparison.Ordinal));
            Assert.Equal(5, runs.Count(run => run.Output.Contains("up to date", StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
