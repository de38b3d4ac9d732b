using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Fuzz;

/// <summary>
/// Tens of thousands of generated requests against every endpoint (<see cref="RequestGenerator"/>), by four workers
/// that each own an account. Every answer must be below 500, every JSON answer the contract's envelope, no answer may
/// show a stack trace or a type name, a refused write must leave its account as it was, and at the end every call an
/// accepted request touched still reads back and the process is alive. <c>SALPRE_FUZZ_SEED</c> replays a run
/// (<c>SALPRE_FUZZ_WORKERS=1</c> replays it request for request), <c>SALPRE_FUZZ_REQUESTS</c> sets its size.
/// </summary>
public sealed partial class FuzzTests(FuzzTests.Gateway gateway) : IClassFixture<FuzzTests.Gateway>
{
    public sealed class Gateway : GatewayFactory
    {
        public Gateway()
        {
            // Make-calls are meant to get through and be fuzzed further, not stop at the account's call rate.
            With("MakeCall:CallsPerSecond", "1000000");
            With("MakeCall:Burst", "1000000");
        }
    }

    private const int MaxReportedFailures = 25;

    [Fact]
    public async Task Generated_requests_to_every_endpoint_never_fault_leak_or_change_what_they_refuse()
    {
        var seed = Setting("SALPRE_FUZZ_SEED", Random.Shared.Next());
        var requests = Setting("SALPRE_FUZZ_REQUESTS", 20_000);
        var workers = Setting("SALPRE_FUZZ_WORKERS", 4);
        var run = new FuzzRun();
        TestContext.Current.TestOutputHelper?.WriteLine($"fuzz seed {seed} (replay with SALPRE_FUZZ_SEED={seed})");

        // Requests probe across tenants with a bystander account's key and call, never another worker's, so that
        // nothing but a worker's own requests can change its account while it compares.
        var bystander = await NewTenantAsync(workers);
        var tenants = new List<FuzzTenant>();
        for (var i = 0; i < workers; i++)
        {
            var tenant = await NewTenantAsync(i);
            tenant.OtherKey = bystander.Key;
            tenant.OtherCallId = bystander.CallIds[0];
            tenants.Add(tenant);
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(tenants.Select((tenant, worker) => Task.Run(() =>
            WorkAsync(run, tenant, new Random(HashCode.Combine(seed, worker)), requests / workers, worker))));
        clock.Stop();

        foreach (var tenant in tenants)
        {
            await CheckReadsBackAsync(run, tenant);
        }
        var health = await gateway.Client().GetWireAsync("/healthz");
        run.Check(health.Status == 200, $"/healthz answered {health.Status} after the run");

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{run.Sent} requests in {clock.Elapsed.TotalSeconds:0.0} s ({run.Sent / clock.Elapsed.TotalSeconds:0} /s); by status: " +
            string.Join(", ", run.ByStatus.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key}: {pair.Value}")) +
            $"; {tenants.Sum(t => t.Touched.Count)} calls touched and read back");
        Assert.True(run.Failures.IsEmpty, $"fuzz seed {seed}: {run.Failures.Count} failure(s)\n\n{string.Join("\n\n", run.Failures.Take(MaxReportedFailures))}");
        Assert.True(run.Sent >= requests - workers, $"only {run.Sent} of {requests} requests were sent");
        Assert.True(run.ByStatus.Keys.Count(status => status < 300) > 0 && run.ByStatus.Keys.Count(status => status >= 400) > 2,
            "the run should see both accepted and refused requests");
    }

    private async Task WorkAsync(FuzzRun run, FuzzTenant tenant, Random random, int count, int worker)
    {
        var generator = new RequestGenerator(random, tenant);
        // Header values go out as UTF-8 bytes, as a careless client would send them, not refused by HttpClient itself.
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8, AllowAutoRedirect = false })
        {
            BaseAddress = gateway.BaseAddress,
        };
        for (var i = 0; i < count; i++)
        {
            var request = generator.Next();
            var before = request.Writes ? await SnapshotAsync(tenant) : null;
            WireResponse response;
            try
            {
                using var message = request.ToMessage();
                response = await client.SendWireAsync(message);
            }
            catch (HttpRequestException exception)
            {
                run.Fail($"worker {worker}, request {i}: no answer ({exception.Message})\n{request}");
                continue;
            }
            run.Count(response.Status);
            CheckAnswer(run, request, response, worker, i);
            if (response.Status >= 500)
            {
                run.Fail("the gateway's log: " + string.Join('\n', gateway.Logs.Lines.Where(line => line.Contains(response.Json["request_id"]?.GetValue<string>() ?? "-", StringComparison.Ordinal))));
            }
            if (response.Status == 200)
            {
                Learn(tenant, request, response);
            }
            else if (before is not null)
            {
                var after = await SnapshotAsync(tenant);
                run.Check(after == before, $"worker {worker}, request {i}: refused with {response.Status} but changed the account\n{request}\nbefore: {before}\nafter:  {after}");
            }
            if (i % 2000 == 1999)
            {
                var health = await client.GetWireAsync("/healthz");
                run.Check(health.Status == 200, $"worker {worker}, request {i}: /healthz answered {health.Status}");
            }
        }
    }

    private static void CheckAnswer(FuzzRun run, FuzzRequest request, WireResponse response, int worker, int index)
    {
        var where = $"worker {worker}, request {index}: {response.Status}";
        run.Check(response.Status < 500, $"{where} is a server fault\n{request}\nanswer: {Cut(response.Body)}");
        // The API description and the dashboard are documents of their own (their text names commands and types), and
        // an answer to HEAD has no body by definition.
        var mediaTypeOf = response.Message.Content.Headers.ContentType?.MediaType ?? "";
        var isDocument = request.PathAndQuery.StartsWith("/openapi/", StringComparison.Ordinal) || request.PathAndQuery.StartsWith("/docs", StringComparison.Ordinal)
                         || mediaTypeOf == "text/html" || request.Method == HttpMethod.Head;
        var mediaType = response.Message.Content.Headers.ContentType?.MediaType ?? "";
        if (mediaType.Contains("json", StringComparison.Ordinal) && !isDocument)
        {
            run.Check(WireExtensions.IsEnvelope(response.Body), $"{where} is not the envelope\n{request}\nanswer: {Cut(response.Body)}");
        }
        if (!isDocument)
        {
            run.Check(!Leak().IsMatch(response.Body), $"{where} shows a stack trace or a type name\n{request}\nanswer: {Cut(response.Body)}");
        }
    }

    /// <summary>What accepted requests teach the worker: new calls, cursors and ETags to reuse, calls to read back.</summary>
    private static void Learn(FuzzTenant tenant, FuzzRequest request, WireResponse response)
    {
        // Only what the worker's own key did is the worker's: a probe with the bystander's key touches the bystander.
        var keys = request.Headers.Where(header => header.Key == "account-secret-key").Select(header => header.Value).ToList();
        if (keys.Count != 1 || keys[0] != tenant.Key)
        {
            return;
        }
        var json = response.Body.StartsWith('{') ? response.Json : null;
        if (request.Family.StartsWith("make-call", StringComparison.Ordinal) && json?["data"]?["call_id"]?.GetValue<string>() is { } made)
        {
            tenant.CallIds.Add(made);
            tenant.Touched.Add(made);
        }
        if (request.Family == "event" && json?["data"]?["call_id"]?.GetValue<string>() is { } reported)
        {
            tenant.Touched.Add(reported);
        }
        if (json?["meta"]?["next_cursor"]?.GetValue<string>() is { } cursor && tenant.Cursors.Count < 50)
        {
            tenant.Cursors.Add(cursor);
        }
        if (response.Header("ETag") is { } etag && tenant.ETags.Count < 20)
        {
            tenant.ETags.Add(etag);
        }
    }

    /// <summary>Every call an accepted request touched answers its details and logs, and the whole list walks by cursor.</summary>
    private async Task CheckReadsBackAsync(FuzzRun run, FuzzTenant tenant)
    {
        using var client = gateway.Client(tenant.Key);
        foreach (var id in tenant.Touched)
        {
            var details = await client.GetWireAsync($"/api/gateway/v1/call/{id}");
            run.Check(details.Status == 200 && WireExtensions.IsEnvelope(details.Body) && details.Json["data"]!["call_id"]!.GetValue<string>() == id,
                $"call {id} of account {tenant.AccountId} does not read back: {details.Status} {Cut(details.Body)}");
            var logs = await client.GetWireAsync($"/api/gateway/v1/call/{id}/logs");
            run.Check(logs.Status == 200 && WireExtensions.IsEnvelope(logs.Body), $"the logs of {id} do not read back: {logs.Status} {Cut(logs.Body)}");
        }
        var listed = new HashSet<string>();
        var path = "/api/gateway/v1/call/list?per_page=100";
        while (true)
        {
            var page = await client.GetWireAsync(path);
            if (page.Status != 200)
            {
                run.Fail($"the list of account {tenant.AccountId} does not read back: {page.Status} {Cut(page.Body)}");
                break;
            }
            listed.UnionWith(page.Data.Select(call => call!["call_id"]!.GetValue<string>()));
            if (page.Meta["next_cursor"]?.GetValue<string>() is not { } cursor) break;
            path = $"/api/gateway/v1/call/list?cursor={Uri.EscapeDataString(cursor)}";
        }
        // A replayed idempotency key answers a call made before: the ids are a set.
        var missing = tenant.CallIds.Where(id => !listed.Contains(id)).Distinct().ToList();
        run.Check(missing.Count == 0, $"account {tenant.AccountId} made calls its list does not show: {string.Join(", ", missing.Take(10))}");
    }

    /// <summary>All an account's write endpoints can change: its calls (one version moved by every call write) and boxes.</summary>
    private async Task<string> SnapshotAsync(FuzzTenant tenant)
    {
        var version = await gateway.Calls.GetVersionAsync(tenant.AccountId, CancellationToken.None);
        var devices = await gateway.Devices.ListAsync(tenant.AccountId, CancellationToken.None);
        return $"calls version {version}; boxes {string.Join(" | ", devices)}";
    }

    private async Task<FuzzTenant> NewTenantAsync(int worker)
    {
        var account = await gateway.CreateAccountAsync(KeyScopes.Read | KeyScopes.Write | KeyScopes.Ingest, $"fuzz-{worker}-{Guid.NewGuid():N}");
        var (_, readOnly) = await gateway.CreateKeyAsync(account.Id, KeyScopes.Read);
        var serial = await gateway.AddBoxAsync(account.Id);
        var disconnected = await gateway.AddBoxAsync(account.Id, connected: false);
        var tenant = new FuzzTenant(account.Id, account.Key, readOnly, serial, disconnected);
        var seeded = await gateway.SeedAsync(account.Id, CallData.Generate(40, seed: worker + 1));
        tenant.CallIds.AddRange(seeded.Select(call => $"c{call.Call.CallNum}"));
        var first = await gateway.Client(account.Key).GetWireAsync("/api/gateway/v1/call/list?per_page=3");
        tenant.Cursors.Add(first.Meta["next_cursor"]!.GetValue<string>());
        tenant.ETags.Add(first.Header("ETag")!);
        return tenant;
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static string Cut(string text) => text.Length <= 400 ? text : text[..400] + "...";

    // A frame of a stack trace, a source line, or a name of .NET's, the database drivers' or the gateway's own types.
    [GeneratedRegex(@"\bat [A-Z]\w*\.|\.cs:line|Exception\b|\b(System|Microsoft|Salpre|Npgsql)\.[A-Z]|SQLite Error|SqliteException")]
    private static partial Regex Leak();

    /// <summary>Counts and failures of one run, shared by its workers.</summary>
    private sealed class FuzzRun
    {
        private int _sent;

        public System.Collections.Concurrent.ConcurrentDictionary<int, int> ByStatus { get; } = new();
        public System.Collections.Concurrent.ConcurrentQueue<string> Failures { get; } = new();
        public int Sent => _sent;

        public void Count(int status)
        {
            Interlocked.Increment(ref _sent);
            ByStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
        }

        public void Check(bool condition, string failure)
        {
            if (!condition) Fail(failure);
        }

        public void Fail(string failure) => Failures.Enqueue(failure);
    }
}
