using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Salpre.Gateway.Keys;
using Salpre.Gateway.Telemetry;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;
using Salpre.Storage.Devices;
using Salpre.Tests.Shared;

namespace Salpre.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway on Kestrel at 127.0.0.1 (a dynamic port) over its own SQLite file in a temporary folder, or,
/// when <c>SALPRE_TEST_STORAGE=postgres</c>, over a fresh database of the run's PostgreSQL server.
/// Tests talk to it over real HTTP; its services reach its stores to arrange data.
/// </summary>
public class GatewayFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly Dictionary<string, string?> _settings = new();
    private readonly List<Action<IServiceCollection>> _services = [];

    public GatewayFactory()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("salpre-gateway-test-").FullName;
        DatabasePath = Path.Combine(Directory, "salpre.db");
    }

    /// <summary>True when this run's gateways use PostgreSQL (tests about the SQLite file carry the SqliteOnly trait).</summary>
    public static bool OnPostgres => Environment.GetEnvironmentVariable("SALPRE_TEST_STORAGE") == "postgres";

    public string Directory { get; }

    /// <summary>The SQLite file (unused on PostgreSQL).</summary>
    public string DatabasePath { get; }

    /// <summary>The Storage settings the gateway runs with, for admin commands that must reach the same store.</summary>
    public IReadOnlyDictionary<string, string?> StorageSettings { get; private set; } = new Dictionary<string, string?>();

    public PostgresServer? Postgres { get; private set; }
    public CapturedLogs Logs { get; } = new();
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Overrides a configuration value (e.g. <c>Authentication:RevocationCheckInterval</c>) before start.</summary>
    public GatewayFactory With(string key, string value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Changes the gateway's services before start (fault injection, clocks).</summary>
    public GatewayFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    public virtual async ValueTask InitializeAsync()
    {
        if (OnPostgres)
        {
            Postgres = await PostgresServer.SharedAsync();
            StorageSettings = new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "postgres",
                ["Storage:ConnectionString"] = await Postgres.CreateDatabaseAsync(),
            };
        }
        else
        {
            StorageSettings = new Dictionary<string, string?> { ["Storage:ConnectionString"] = $"Data Source={DatabasePath}" };
        }
        UseKestrel();
        StartServer();
        // The API's address: with metrics on, the gateway listens on the metrics address as well.
        var metricsPorts = Services.GetService<MetricsListener>()?.Ports ?? [];
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(address => new Uri(address)).Single(address => !metricsPorts.Contains(address.Port));
        BaseAddress = address;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Postgres is not null)
        {
            await Postgres.DropDatabaseAsync(StorageSettings["Storage:ConnectionString"]!);
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("urls", "http://127.0.0.1:0");
        foreach (var (key, value) in StorageSettings)
        {
            builder.UseSetting(key, value);
        }
        // Suites send requests in bursts with one key; the rate limit tests set their own limits.
        builder.UseSetting("RateLimiting:RequestsPerSecond", "1000000");
        builder.UseSetting("RateLimiting:Burst", "1000000");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureServices(services =>
        {
            foreach (var configure in _services)
            {
                configure(services);
            }
        });
    }

    /// <summary>Every byte the store keeps on disk (the SQLite file and its WAL, or the database's files and the WAL), as Latin-1.</summary>
    public async Task<string> ReadStoredBytesAsync()
    {
        IReadOnlyList<string> files = Postgres is null
            ? [DatabasePath, DatabasePath + "-wal"]
            : await Postgres.DatabaseFilesAsync(StorageSettings["Storage:ConnectionString"]!);
        using var buffer = new MemoryStream();
        foreach (var path in files.Where(File.Exists))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.CopyTo(buffer);
        }
        return System.Text.Encoding.Latin1.GetString(buffer.ToArray());
    }

    /// <summary>
    /// On PostgreSQL, waits until every transaction begun so far has ended: the feed shows an event once nothing can
    /// come before it, and transaction ids are the whole test server's. Nothing to wait for on SQLite.
    /// </summary>
    public async Task SettleEventsAsync()
    {
        if (Postgres is null)
        {
            return;
        }
        await using var connection = new Npgsql.NpgsqlConnection(StorageSettings["Storage:ConnectionString"]);
        await connection.OpenAsync();
        async Task<long> Read(string sql)
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        var next = await Read("SELECT (pg_snapshot_xmax(pg_current_snapshot())::text)::bigint");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await Read("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint") < next && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Set by tests that inject faults; otherwise any 500 the gateway answers fails the test that drew it.</summary>
    public bool ExpectsFaults { get; set; }

    /// <summary>A plain client for the gateway, with no key.</summary>
    public HttpClient Client() => new(new NoFaultsHandler(this)) { BaseAddress = BaseAddress };

    /// <summary>A 500 is a bug unless the test injected the fault: say so where it happens, not in a later assertion.</summary>
    private sealed class NoFaultsHandler(GatewayFactory gateway) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.InternalServerError && !gateway.ExpectsFaults)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new Xunit.Sdk.XunitException($"The gateway answered 500 to {request.Method} {request.RequestUri}: {body}\n" +
                    string.Join('\n', gateway.Logs.Lines.Where(line => line.Contains("Request failed", StringComparison.Ordinal)).TakeLast(3)));
            }
            return response;
        }
    }

    /// <summary>A client that sends <paramref name="key"/> in the account-secret-key header.</summary>
    public HttpClient Client(string key)
    {
        var client = Client();
        client.DefaultRequestHeaders.Add(KeyAuthenticationMiddleware.Header, key);
        return client;
    }

    public IAccountStore Accounts => Services.GetRequiredService<IAccountStore>();
    public ICallStore Calls => Services.GetRequiredService<ICallStore>();
    public IDeviceStore Devices => Services.GetRequiredService<IDeviceStore>();

    /// <summary>Registers a box for the account and, unless told otherwise, reports a heartbeat so that it is connected.</summary>
    public async Task<string> AddBoxAsync(long accountId, bool connected = true)
    {
        var serial = $"BOX-{Guid.NewGuid():N}"[..20];
        await Devices.AddAsync(accountId, serial, "test box", CancellationToken.None);
        if (connected)
        {
            await Devices.RecordHeartbeatAsync(accountId, serial, 90, "1.0.0", CancellationToken.None);
        }
        return serial;
    }

    /// <summary>Creates an account and a key with the given scopes; returns the account id and the secret.</summary>
    public async Task<TestAccount> CreateAccountAsync(KeyScopes scopes = KeyScopes.Read | KeyScopes.Write, string? name = null)
    {
        var (secret, stored) = ApiKeyFormat.Issue("test", scopes);
        var (account, keyId) = await Accounts.CreateAccountAsync(name ?? $"account-{Guid.NewGuid():N}", stored, CancellationToken.None);
        return new TestAccount(account.Id, keyId, secret);
    }

    public async Task<(long KeyId, string Secret)> CreateKeyAsync(long accountId, KeyScopes scopes)
    {
        var (secret, stored) = ApiKeyFormat.Issue("extra", scopes);
        var keyId = await Accounts.CreateKeyAsync(accountId, stored, CancellationToken.None);
        return (keyId, secret);
    }

    /// <summary>Stores calls for an account, numbering those given with number 0.</summary>
    public async Task<IReadOnlyList<CallDetailsRecord>> SeedAsync(long accountId, IReadOnlyList<CallDetailsRecord> calls)
    {
        var unnumbered = calls.Count(call => call.Call.CallNum == 0);
        var next = unnumbered > 0 ? await Calls.ReserveCallNumbersAsync(unnumbered, calls.Max(c => c.Call.CallNum), CancellationToken.None) : 0;
        var numbered = calls.Select(call => call.Call.CallNum == 0 ? call with { Call = call.Call with { CallNum = next++ } } : call).ToList();
        await Calls.ImportAsync(accountId, numbered.ToAsyncEnumerable(), CancellationToken.None);
        return numbered;
    }
}

public sealed record TestAccount(long Id, long KeyId, string Key);
