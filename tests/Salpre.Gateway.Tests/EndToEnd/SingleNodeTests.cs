using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>A SQLite file serves one gateway: a second refuses to start and says to use PostgreSQL.</summary>
[Trait("Storage", "SqliteOnly")]
public sealed class SingleNodeTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("salpre-single-node-").FullName;

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
    public async Task A_second_gateway_on_the_same_file_refuses_to_start_while_admin_commands_keep_working()
    {
        await using var first = GatewayProcess.Start(_directory, Environment(), "--urls", "http://127.0.0.1:0");
        var address = await first.WaitForAddressAsync(TimeSpan.FromSeconds(60));

        await using var second = GatewayProcess.Start(_directory, Environment(), "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Another gateway is already serving", second.Output);
        Assert.Contains("PostgreSQL", second.Output);
        Assert.DoesNotContain("   at ", second.Output);

        var admin = await Shell.RunAsync("bash", "-c",
            $"Storage__ConnectionString='Data Source={Path.Combine(_directory, "salpre.db")}' dotnet '{GatewayProcess.GatewayDll()}' accounts create --name second --json");
        Assert.Equal(0, admin.Code);
        using var client = new HttpClient { BaseAddress = address };
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode);

        // The claim ends with the process, even a killed one: the next gateway starts.
        await first.KillAsync();
        await using var third = GatewayProcess.Start(_directory, Environment(), "--urls", "http://127.0.0.1:0");
        await third.WaitForAddressAsync(TimeSpan.FromSeconds(60));
    }
}
