using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Salpre.Gateway.Calls.Import;
using Salpre.Gateway.Keys;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;
using Salpre.Storage.Devices;

namespace Salpre.Client.Tests.Infrastructure;

/// <summary>
/// The real gateway on Kestrel at 127.0.0.1 (a dynamic port) over its own SQLite file in a temporary folder.
/// The entry point is found through any public type of the gateway's assembly (its Program is internal).
/// </summary>
public class GatewayServer : WebApplicationFactory<CallImporter>, IAsyncLifetime
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        // A call rate that never gets in the way unless a test asks for one.
        ["MakeCall:CallsPerSecond"] = "100000",
        ["MakeCall:Burst"] = "100000",
    };

    public GatewayServer()
    {
        Folder = Directory.CreateTempSubdirectory("salpre-client-test-").FullName;
        DatabasePath = Path.Combine(Folder, "salpre.db");
    }

    public string Folder { get; }
    public string DatabasePath { get; }
    public Uri BaseAddress { get; private set; } = null!;

    public GatewayServer With(string key, string value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Lets webhooks reach receivers on 127.0.0.1 over http (as a self-hosted LAN may be allowed), looking for work often.</summary>
    public GatewayServer WithLoopbackWebhooks() =>
        With("Webhooks:AllowHttp", "true").With("Webhooks:AllowedNetworks:0", "127.0.0.0/8").With("Webhooks:PollInterval", "00:00:00.100");

    public virtual ValueTask InitializeAsync()
    {
        UseKestrel();
        StartServer();
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Storage:ConnectionString", $"Data Source={DatabasePath}");
        // Exports and walks send pages as fast as they can with one key; rate limits have tests of their own.
        builder.UseSetting("RateLimiting:RequestsPerSecond", "1000000");
        builder.UseSetting("RateLimiting:Burst", "1000000");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public ICallStore Calls => Services.GetRequiredService<ICallStore>();

    /// <summary>A client of this gateway with <paramref name="key"/>; retries off unless given.</summary>
    public SalpreClient Client(string key, SalpreRetryOptions? retry = null) =>
        new(new SalpreClientOptions { ApiKey = key, BaseAddress = BaseAddress, Retry = retry ?? new SalpreRetryOptions { MaxRetries = 0 } });

    public async Task<TestAccount> CreateAccountAsync(KeyScopes scopes = KeyScopes.Read | KeyScopes.Write)
    {
        var (secret, stored) = ApiKeyFormat.Issue("test", scopes);
        var (account, _) = await Services.GetRequiredService<IAccountStore>().CreateAccountAsync($"account-{Guid.NewGuid():N}", stored, CancellationToken.None);
        return new TestAccount(account.Id, secret);
    }

    public async Task<string> CreateKeyAsync(long accountId, KeyScopes scopes)
    {
        var (secret, stored) = ApiKeyFormat.Issue("extra", scopes);
        await Services.GetRequiredService<IAccountStore>().CreateKeyAsync(accountId, stored, CancellationToken.None);
        return secret;
    }

    /// <summary>Registers a box and, unless told otherwise, a heartbeat so that it is connected; returns its serial.</summary>
    public async Task<string> AddBoxAsync(long accountId, bool connected = true)
    {
        var devices = Services.GetRequiredService<IDeviceStore>();
        var serial = $"BOX-{Guid.NewGuid():N}"[..20];
        await devices.AddAsync(accountId, serial, "test box", CancellationToken.None);
        if (connected)
        {
            await devices.RecordHeartbeatAsync(accountId, serial, 90, "1.0.0", CancellationToken.None);
        }
        return serial;
    }

    /// <summary>Stores <paramref name="count"/> generated calls under fresh numbers and returns them as stored.</summary>
    public async Task<IReadOnlyList<CallDetailsRecord>> SeedAsync(long accountId, int count, int seed = 1)
    {
        var first = await Calls.ReserveCallNumbersAsync(count, 0, CancellationToken.None);
        var calls = CallData.Generate(count, seed, first);
        await Calls.ImportAsync(accountId, calls.ToAsyncEnumerable(), CancellationToken.None);
        return calls;
    }
}

public sealed record TestAccount(long Id, string Key);
