using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Hosting;

/// <summary>
/// Prometheus scrapes <c>/metrics</c> on a listener of its own and finds exactly the requests, refusals, lookups,
/// database errors and imported rows a test caused; no label carries a key, a hash, a phone number or a call id.
/// </summary>
public sealed class MetricsTests(MetricsTests.Gateway gateway) : IClassFixture<MetricsTests.Gateway>
{
    private const string List = "/api/gateway/v1/call/list";
    private const string Duration = "http_server_request_duration_seconds_count";
    private const string Phone = "+905321234567";

    public sealed class Gateway : MetricsGateway
    {
        // Keys' last-used times are written once an hour here, so that no write of its own lands between two scrapes.
        public Gateway() => With("Authentication:UsageFlushInterval", "01:00:00");
    }

    private static (string, string) Route(string template) => ("http_route", template);

    private static (string, string) Status(int status) => ("http_response_status_code", status.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Requests_are_counted_by_route_template_and_status_with_their_latency_and_key_lookups()
    {
        var account = await gateway.CreateAccountAsync();
        var client = gateway.Client(account.Key);
        var badKey = gateway.Client("slp_sk_not-a-key");
        var before = await gateway.ScrapeAsync();

        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(200, (await client.GetWireAsync($"{List}?per_page={i + 1}")).Status);
        }
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(401, (await badKey.GetWireAsync(List)).Status);
        }
        Assert.Equal(404, (await client.GetWireAsync("/api/gateway/v1/call/c987654")).Status);
        Assert.Equal(404, (await client.GetWireAsync("/api/gateway/v1/call/987655")).Status);

        var after = await gateway.ScrapeUntilAsync(s =>
            s.Since(before, Duration, Route(List), Status(200)) >= 7
            && s.Since(before, Duration, Route(List), Status(401)) >= 3
            && s.Since(before, Duration, Route("/api/gateway/v1/call/{id}"), Status(404)) >= 2);

        Assert.Equal(7, after.Since(before, Duration, Route(List), Status(200)));
        Assert.Equal(3, after.Since(before, Duration, Route(List), Status(401)));
        Assert.Equal(2, after.Since(before, Duration, Route("/api/gateway/v1/call/{id}"), Status(404)));
        // The latency histogram: every request falls in the last bucket, and they took some time.
        Assert.Equal(7, after.Since(before, "http_server_request_duration_seconds_bucket", Route(List), Status(200), ("le", "+Inf")));
        Assert.True(after.Since(before, "http_server_request_duration_seconds_sum", Route(List), Status(200)) > 0);
        // Routes are templates: no label names the call asked for.
        Assert.DoesNotContain(after.Samples, s => s.Labels.Values.Any(v => v.Contains("98765", StringComparison.Ordinal)));
        // Nine requests carried a well-formed key (the malformed one is refused before any lookup); the first missed.
        var hits = after.Since(before, "salpre_gateway_key_cache_lookups_total", ("result", "hit"));
        var misses = after.Since(before, "salpre_gateway_key_cache_lookups_total", ("result", "miss"));
        Assert.Equal(9, hits + misses);
        Assert.InRange(misses, 1, 9);
    }

    [Fact]
    public async Task Imported_rows_are_counted_as_inserted_or_already_present()
    {
        var account = await gateway.CreateAccountAsync();
        var before = await gateway.ScrapeAsync();

        var calls = await gateway.SeedAsync(account.Id, CallData.Generate(12, seed: 7));
        var again = await gateway.Calls.ImportAsync(account.Id, calls.Take(5).ToAsyncEnumerable(), TestContext.Current.CancellationToken);

        Assert.Equal(5, again.AlreadyPresent);
        var after = await gateway.ScrapeAsync();
        Assert.Equal(12, after.Since(before, "salpre_storage_import_rows_total", ("outcome", "inserted")));
        Assert.Equal(5, after.Since(before, "salpre_storage_import_rows_total", ("outcome", "already_present")));
    }

    [Fact]
    [Trait("Storage", "SqliteOnly")]
    public async Task Writers_waiting_for_the_SQLite_write_gate_are_measured()
    {
        var account = await gateway.CreateAccountAsync();
        var before = await gateway.ScrapeAsync();

        // Eight writes at once, each long enough (2,000 calls) that they overlap even on a loaded machine: one holds
        // the gate while the others queue. (SQLite's driver works synchronously, so each runs on a thread of its own.)
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => gateway.SeedAsync(account.Id, CallData.Generate(2000, seed: 100 + i)))));

        var after = await gateway.ScrapeAsync();
        const string Wait = "salpre_storage_sqlite_write_gate_wait_seconds";
        // Each seed is two writes: reserving the numbers, then the import.
        Assert.Equal(16, after.Since(before, Wait + "_count"));
        Assert.True(after.Since(before, Wait + "_bucket", ("le", "0.0001")) < 16, "some writer should have queued behind another");
        Assert.True(after.Since(before, Wait + "_sum") > 0);
    }

    [Fact]
    public async Task The_scrape_carries_no_key_hash_phone_number_call_id_or_query()
    {
        var account = await gateway.CreateAccountAsync();
        var client = gateway.Client(account.Key);
        var serial = await gateway.AddBoxAsync(account.Id);
        var before = await gateway.ScrapeAsync();

        var made = await client.MakeCallAsync(serial, Phone);
        Assert.Equal(200, made.Status);
        var callId = made.Json["data"]!["call_id"]!.GetValue<string>();
        Assert.Equal(200, (await client.GetWireAsync($"{List}?to=%2B905321234567&per_page=3")).Status);
        Assert.Equal(200, (await client.GetWireAsync($"/api/gateway/v1/call/{callId}")).Status);
        Assert.Equal(200, (await client.GetWireAsync($"/api/gateway/v1/call/{callId}/logs")).Status);

        var after = await gateway.ScrapeUntilAsync(s =>
            s.Since(before, Duration, Route("/api/gateway/v1/call/{id}/logs"), Status(200)) >= 1);
        // The scrape saw this traffic, so it would show what the traffic carried.
        Assert.Equal(1, after.Since(before, Duration, Route("/api/gateway/v1/call/make-call"), Status(200)));
        Assert.Equal(1, after.Since(before, Duration, Route("/api/gateway/v1/call/{id}/logs"), Status(200)));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(account.Key));
        foreach (var secret in new[] { account.Key, account.Key[7..], Convert.ToHexString(hash), Convert.ToHexStringLower(hash), Convert.ToBase64String(hash), Phone, Phone[1..], serial })
        {
            Assert.DoesNotContain(secret, after.Text, StringComparison.Ordinal);
        }
        // The call id as a whole word: a short id such as c1 is also two characters of many a hex identifier (target_info's).
        var callIdWord = new System.Text.RegularExpressions.Regex($"(^|[^0-9A-Za-z]){callId}($|[^0-9A-Za-z])");
        Assert.Empty(after.Samples
            .Where(s => s.Labels.Values.Any(v =>
                callIdWord.IsMatch(v) || v.Contains('?', StringComparison.Ordinal) || v.Contains("per_page", StringComparison.Ordinal)))
            .Select(s => $"{s.Name} {string.Join(", ", s.Labels)}"));
        // Npgsql names a pool opened from a connection string by that string: its metrics keep the connection state only.
        Assert.DoesNotContain("Host=", after.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(after.Samples, s => s.Labels.ContainsKey("db_client_connection_pool_name"));
        if (GatewayFactory.OnPostgres)
        {
            // The pool's connections by state. Their values are not checked: this test process holds many gateways' pools,
            // and with the pool's name dropped, the last pool reported gives the value.
            foreach (var state in new[] { "idle", "used" })
            {
                Assert.Contains(after.Samples, s => s.Name == "db_client_connection_count" && s.Labels.GetValueOrDefault("db_client_connection_state") == state);
            }
        }
    }

    [Fact]
    public async Task Metrics_are_served_on_their_own_listener_only_and_scrapes_are_not_counted_as_requests()
    {
        var account = await gateway.CreateAccountAsync();
        using var metrics = gateway.MetricsClient();
        metrics.DefaultRequestHeaders.Add("account-secret-key", account.Key);

        var onApi = await gateway.Client().GetWireAsync("/metrics");
        var scrape = await metrics.GetWireAsync("/metrics");
        var apiOnMetrics = await metrics.GetWireAsync(List);
        var healthOnMetrics = await metrics.GetWireAsync("/healthz");

        Assert.Equal(404, onApi.Status);
        Assert.StartsWith("""{"status":"error","message":"Not found","code":"not_found",""", onApi.Body);
        Assert.Equal(200, scrape.Status);
        Assert.StartsWith("text/plain", scrape.Header("Content-Type"));
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", scrape.Body);
        Assert.Equal(404, apiOnMetrics.Status);
        Assert.Equal("", apiOnMetrics.Body);
        Assert.Equal(404, healthOnMetrics.Status);
        // Scrapes (and anything else the metrics listener answers) leave the request metrics alone.
        var first = await gateway.ScrapeAsync();
        var second = await gateway.ScrapeAsync();
        Assert.Equal(first.Sum(Duration), second.Sum(Duration));
        Assert.True(first.Sum(Duration) > 0);
    }

    [Fact]
    public async Task The_runtime_is_measured()
    {
        GC.Collect();
        var scrape = await gateway.ScrapeAsync();

        Assert.True(scrape.Sum("dotnet_gc_last_collection_heap_size_bytes") > 0);
        Assert.True(scrape.Sum("dotnet_thread_pool_thread_count") > 0);
    }

    [Fact]
    public async Task Another_gateway_in_the_same_process_is_not_counted()
    {
        // OpenTelemetry listens to meters by name across the process; each gateway counts its own requests only.
        await using var other = new GatewayFactory();
        await other.InitializeAsync();
        var before = await gateway.ScrapeAsync();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(401, (await other.Client("slp_sk_not-a-key").GetWireAsync(List)).Status);
        }
        Assert.Equal(401, (await gateway.Client("slp_sk_not-a-key").GetWireAsync(List)).Status);

        var after = await gateway.ScrapeUntilAsync(s => s.Since(before, Duration, Route(List), Status(401)) >= 1);
        Assert.Equal(1, after.Since(before, Duration, Route(List), Status(401)));
    }

    [Fact]
    public async Task Rate_limit_refusals_are_counted_by_kind()
    {
        await using var limited = new MetricsGateway();
        limited.With("RateLimiting:RequestsPerSecond", "1").With("RateLimiting:Burst", "5")
            .With("MakeCall:CallsPerSecond", "1").With("MakeCall:Burst", "1");
        await limited.InitializeAsync();
        var account = await limited.CreateAccountAsync();
        var (_, caller) = await limited.CreateKeyAsync(account.Id, KeyScopes.Read | KeyScopes.Write);
        var serial = await limited.AddBoxAsync(account.Id);
        var before = await limited.ScrapeAsync();

        var listAnswers = new List<WireResponse>();
        for (var i = 0; i < 10; i++)
        {
            listAnswers.Add(await limited.Client(account.Key).GetWireAsync(List));
        }
        var callAnswers = new List<WireResponse>();
        for (var i = 0; i < 4; i++)
        {
            callAnswers.Add(await limited.Client(caller).MakeCallAsync(serial));
        }

        var keyRefused = listAnswers.Concat(callAnswers).Count(a => a.Status == 429 && Message(a).StartsWith("Too many requests", StringComparison.Ordinal));
        var callRefused = callAnswers.Count(a => a.Status == 429 && Message(a).StartsWith("Too many calls", StringComparison.Ordinal));
        Assert.InRange(keyRefused, 1, 10);
        Assert.InRange(callRefused, 1, 3);
        var after = await limited.ScrapeUntilAsync(s =>
            s.Since(before, Duration, Route("/api/gateway/v1/call/make-call"), Status(429)) >= callRefused);
        Assert.Equal(keyRefused, after.Since(before, "salpre_gateway_rate_limit_refusals_total", ("kind", "key")));
        Assert.Equal(callRefused, after.Since(before, "salpre_gateway_rate_limit_refusals_total", ("kind", "make_call")));
        Assert.Equal(listAnswers.Count(a => a.Status == 429), after.Since(before, Duration, Route(List), Status(429)));
        Assert.Equal(callAnswers.Count(a => a.Status == 429), after.Since(before, Duration, Route("/api/gateway/v1/call/make-call"), Status(429)));
    }

    [Fact]
    public async Task Database_errors_are_counted_by_kind_and_other_faults_are_not()
    {
        Faults faults = null!;
        await using var broken = new MetricsGateway();
        broken.WithServices(services => faults = Faults.Register(services));
        broken.ExpectsFaults = true;
        await broken.InitializeAsync();
        var account = await broken.CreateAccountAsync();
        var client = broken.Client(account.Key);
        var before = await broken.ScrapeAsync();

        faults.Next = Faults.Busy();
        Assert.Equal(503, (await client.GetWireAsync(List)).Status);
        Assert.Equal(503, (await client.GetWireAsync(List)).Status);
        Assert.Equal(503, (await client.GetWireAsync("/readyz")).Status);
        faults.Next = Faults.Constraint();
        Assert.Equal(500, (await client.GetWireAsync(List)).Status);
        faults.Next = Faults.Internal();
        Assert.Equal(500, (await client.GetWireAsync(List)).Status);

        var after = await broken.ScrapeAsync();
        Assert.Equal(3, after.Since(before, "salpre_gateway_database_errors_total", ("kind", "unavailable")));
        Assert.Equal(1, after.Since(before, "salpre_gateway_database_errors_total", ("kind", "other")));
    }

    [Fact]
    public async Task Off_by_default_no_telemetry_runs_and_metrics_is_an_unknown_route()
    {
        await using var plain = new GatewayFactory();
        await plain.InitializeAsync();

        var answer = await plain.Client().GetWireAsync("/metrics");

        Assert.Equal(404, answer.Status);
        Assert.StartsWith("""{"status":"error","message":"Not found","code":"not_found",""", answer.Body);
        Assert.Null(plain.Services.GetService<MeterProvider>());
        Assert.Null(plain.Services.GetService<TracerProvider>());
        Assert.Single(plain.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses);
        // Whereas with metrics on, the gateway listens on its metrics address too, and traces stay off without OTLP.
        Assert.Equal(2, gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Count);
        Assert.NotNull(gateway.Services.GetService<MeterProvider>());
        Assert.Null(gateway.Services.GetService<TracerProvider>());
    }

    [Theory]
    [InlineData("http://127.0.0.1:0", "needs a fixed port (not 0)")]
    [InlineData("http://127.0.0.1:{api}", "which the API listens on")]
    [InlineData("not an address", "is not a list of addresses")]
    [Trait("Storage", "SqliteOnly")]
    public async Task A_metrics_address_that_cannot_be_told_apart_from_the_API_stops_the_start_with_one_line(string urls, string reason)
    {
        var directory = Directory.CreateTempSubdirectory("salpre-metrics-").FullName;
        try
        {
            var apiPort = MetricsGateway.FreePort();
            await using var process = GatewayProcess.Start(directory,
                new Dictionary<string, string> { ["Storage__ConnectionString"] = $"Data Source={Path.Combine(directory, "salpre.db")}" },
                "--urls", $"http://127.0.0.1:{apiPort}", "--Metrics:Enabled=true", $"--Metrics:Urls={urls.Replace("{api}", apiPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)}");
            Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            var line = Assert.Single(process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith("Metrics:Urls '", line, StringComparison.Ordinal);
            Assert.Contains(reason, line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Message(WireResponse answer) => answer.Json["message"]!.GetValue<string>();
}
