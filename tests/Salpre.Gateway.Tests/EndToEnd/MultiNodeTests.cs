using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Salpre.Gateway.Admin;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Tests.Shared;

namespace Salpre.Gateway.Tests.EndToEnd;

/// <summary>
/// Two real gateway processes on one PostgreSQL and one Redis, all on loopback, act as one gateway: the same
/// answers, cursors and idempotency keys across nodes, revocation that reaches every node, one shared rate limit, and
/// a PostgreSQL crash under load that ends in 503 envelopes and a recovery with every acknowledged write kept.
/// These start servers of their own, so they run once, not again in the PostgreSQL pass of the suite.
/// </summary>
[Trait("Run", "Once")]
public sealed class MultiNodeTests(MultiNodeTests.Cluster cluster) : IClassFixture<MultiNodeTests.Cluster>
{
    private const string List = "/api/gateway/v1/call/list";

    public sealed class Cluster : IAsyncLifetime
    {
        public const int RequestsPerSecond = 50;
        public const int Burst = 50;
        public const string Serial = "MULTI-NODE-BOX";

        private readonly string _directory = Directory.CreateTempSubdirectory("salpre-multi-node-").FullName;
        private PostgresServer? _postgres;

        public PostgresServer Postgres => _postgres!;
        public RedisServer Redis { get; } = new();
        public string ConnectionString { get; private set; } = "";
        public List<GatewayProcess> Nodes { get; } = [];
        public List<Uri> Addresses { get; } = [];
        public long AccountId { get; private set; }

        public async ValueTask InitializeAsync()
        {
            _postgres = await PostgresServer.StartOwnAsync();
            await Redis.InitializeAsync();
            ConnectionString = await Postgres.CreateDatabaseAsync();
            AccountId = (await AdminAsync("accounts", "create", "--name", "cluster", "--json"))["account_id"]!.GetValue<long>();
            await AdminAsync("devices", "add", "--account", $"{AccountId}", "--serial", Serial, "--name", "cluster box");
            for (var i = 0; i < 2; i++)
            {
                var node = GatewayProcess.Start(_directory, new Dictionary<string, string>
                {
                    ["Storage__Provider"] = "postgres",
                    ["Storage__ConnectionString"] = ConnectionString + ";Timeout=5",
                    ["RateLimiting__Redis"] = Redis.Configuration,
                    ["RateLimiting__RequestsPerSecond"] = $"{RequestsPerSecond}",
                    ["RateLimiting__Burst"] = $"{Burst}",
                    ["MakeCall__CallsPerSecond"] = "100000",
                    ["MakeCall__Burst"] = "100000",
                }, "--urls", "http://127.0.0.1:0");
                Nodes.Add(node);
                Addresses.Add(await node.WaitForAddressAsync(TimeSpan.FromSeconds(60)));
            }
        }

        /// <summary>A key of the account with every scope, so one client can place calls and report on them.</summary>
        public async Task<(long Id, string Secret)> NewKeyAsync(string scopes = "read,write,ingest")
        {
            var key = await AdminAsync("keys", "create", "--account", $"{AccountId}", "--scopes", scopes, "--json");
            return (key["key_id"]!.GetValue<long>(), key["secret_key"]!.GetValue<string>());
        }

        /// <summary>Runs an admin command on the cluster's database, as an operator would; returns its JSON line, if any.</summary>
        public async Task<JsonNode> AdminAsync(params string[] args)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "postgres",
                ["Storage:ConnectionString"] = ConnectionString,
            }).Build();
            using var output = new StringWriter();
            using var error = new StringWriter();
            // Each admin command is a process of its own in real life: no pooled connection outlives a server restart.
            Npgsql.NpgsqlConnection.ClearAllPools();
            var code = await AdminCommands.RunAsync(args, configuration, output, error, CancellationToken.None);
            Assert.True(code == 0, error.ToString());
            var last = output.ToString().TrimEnd().Split('\n')[^1];
            return last.StartsWith('{') ? JsonNode.Parse(last)! : new JsonObject();
        }

        public HttpClient Client(int node, string key)
        {
            var client = new HttpClient { BaseAddress = Addresses[node], Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Add("account-secret-key", key);
            return client;
        }

        public async Task ConnectBoxAsync(string ingestKey)
        {
            using var client = Client(0, ingestKey);
            Assert.Equal(200, (await client.PostJsonAsync("/api/gateway/v1/salprebox/heartbeat", $$"""{"serial_no":"{{Serial}}"}""")).Status);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var node in Nodes)
            {
                await node.DisposeAsync();
            }
            await Redis.DisposeAsync();
            if (_postgres is not null)
            {
                await _postgres.DisposeAsync();
            }
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Both_nodes_give_the_same_answers_and_a_cursor_from_one_works_on_the_other()
    {
        var (_, key) = await cluster.NewKeyAsync();
        await cluster.ConnectBoxAsync(key);
        using var first = cluster.Client(0, key);
        using var second = cluster.Client(1, key);
        for (var i = 0; i < 15; i++)
        {
            var made = await (i % 2 == 0 ? first : second).MakeCallAsync(Cluster.Serial, to: $"+9053212{i:D5}");
            Assert.Equal(200, made.Status);
            var callId = made.Json["data"]!["call_id"]!.GetValue<string>();
            var report = await (i % 2 == 0 ? second : first).PostJsonAsync($"/api/gateway/v1/call/{callId}/events", """{"status":"ringing"}""");
            Assert.Equal(200, report.Status);
        }

        var pageOne = await first.GetWireAsync($"{List}?per_page=10");
        Assert.Equal(pageOne.Body, (await second.GetWireAsync($"{List}?per_page=10")).Body);
        var cursor = pageOne.Meta["next_cursor"]!.GetValue<string>();
        var pageTwo = await second.GetWireAsync($"{List}?cursor={cursor}");
        Assert.Equal(200, pageTwo.Status);
        Assert.Equal(pageTwo.Body, (await first.GetWireAsync($"{List}?cursor={cursor}")).Body);
        Assert.Empty(pageOne.CallIds.Intersect(pageTwo.CallIds));
        var details = pageOne.CallIds[0];
        Assert.Equal((await first.GetWireAsync($"/api/gateway/v1/call/{details}")).Body, (await second.GetWireAsync($"/api/gateway/v1/call/{details}")).Body);
        Assert.Equal((await first.GetWireAsync($"/api/gateway/v1/call/{details}/logs")).Body, (await second.GetWireAsync($"/api/gateway/v1/call/{details}/logs")).Body);
    }

    [Fact]
    public async Task A_revoked_key_stops_working_on_every_node_within_the_window()
    {
        var (keyId, key) = await cluster.NewKeyAsync("read");
        using var first = cluster.Client(0, key);
        using var second = cluster.Client(1, key);
        Assert.Equal(200, (await first.GetWireAsync(List)).Status);
        Assert.Equal(200, (await second.GetWireAsync(List)).Status);

        await cluster.AdminAsync("keys", "revoke", $"{keyId}", "--json");
        var clock = Stopwatch.StartNew();
        var refused = new TimeSpan?[2];
        while (refused.Any(r => r is null) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            for (var node = 0; node < 2; node++)
            {
                if (refused[node] is null && (await (node == 0 ? first : second).GetWireAsync(List)).Status == 401)
                {
                    refused[node] = clock.Elapsed;
                }
            }
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"refused on node 1 after {refused[0]?.TotalMilliseconds:0} ms, on node 2 after {refused[1]?.TotalMilliseconds:0} ms");
        // The stated window is the key-version poll, one second; the rest is the test's own polling and a loaded machine.
        Assert.All(refused, r => Assert.True(r < TimeSpan.FromSeconds(2.5), $"refused after {r}"));
    }

    [Fact]
    public async Task Two_nodes_together_allow_no_more_than_one_keys_limit()
    {
        var (_, key) = await cluster.NewKeyAsync("read");
        (int Node, HttpClient Client)[] clients = [(0, cluster.Client(0, key)), (1, cluster.Client(1, key)), (0, cluster.Client(0, key)), (1, cluster.Client(1, key))];
        var statuses = new ConcurrentBag<(int Node, int Status)>();
        var clock = Stopwatch.StartNew();
        // One key's bucket over the run: the burst, plus a refill for every second begun (Redis counts whole seconds,
        // so one extra refill is the stated tolerance).
        static double LimitAfter(double seconds) => Cluster.Burst + Cluster.RequestsPerSecond * (Math.Ceiling(seconds) + 1);
        // Two nodes counting alone would allow each node's requests up to the limit: the run can tell the difference
        // once that sum is well above the limit. A loaded machine sends fewer requests a second, so it runs longer.
        bool CanTell() => statuses.GroupBy(s => s.Node).Sum(node => Math.Min(node.Count(), LimitAfter(clock.Elapsed.TotalSeconds))) > 1.5 * LimitAfter(clock.Elapsed.TotalSeconds);
        await Task.WhenAll(clients.Select(client => Task.Run(async () =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(3) || (!CanTell() && clock.Elapsed < TimeSpan.FromSeconds(15)))
            {
                var answer = await client.Client.GetWireAsync($"{List}?per_page=1");
                statuses.Add((client.Node, answer.Status));
                if (answer.Status == 429)
                {
                    Assert.NotNull(answer.Header("Retry-After"));
                    Assert.Equal("rate_limited", answer.Json["code"]!.GetValue<string>());
                }
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var client in clients)
        {
            client.Client.Dispose();
        }

        var allowed = statuses.Count(s => s.Status == 200);
        var limit = LimitAfter(seconds);
        TestContext.Current.TestOutputHelper?.WriteLine($"{statuses.Count} requests in {seconds:0.0} s: {allowed} allowed (limit {limit}), {statuses.Count(s => s.Status == 429)} refused");
        // A node may answer 503 when the database does not answer in time on a loaded machine (the cluster's connection
        // string gives it 5 s); anything else but 200 and 429 is a failure, named here.
        Assert.Empty(statuses.Where(s => s.Status is not (200 or 429 or 503)).Select(s => $"node {s.Node}: {s.Status}"));
        Assert.InRange(allowed, Cluster.Burst - statuses.Count(s => s.Status == 503), limit);
        Assert.True(CanTell(), $"too little load to tell: {statuses.Count} requests in {seconds:0.0} s");
    }

    [Fact]
    public async Task An_idempotency_key_holds_across_nodes()
    {
        var (_, key) = await cluster.NewKeyAsync();
        await cluster.ConnectBoxAsync(key);
        using var first = cluster.Client(0, key);
        using var second = cluster.Client(1, key);
        var idempotencyKey = $"cross-node-{Guid.NewGuid():N}";
        var to = $"+9053299{Random.Shared.Next(10000, 99999)}";

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? first : second).MakeCallAsync(Cluster.Serial, to: to, idempotencyKey: idempotencyKey)));
        var otherBody = await second.MakeCallAsync(Cluster.Serial, to: "+905321111111", idempotencyKey: idempotencyKey);

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Single(answers.Select(a => a.Json["data"]!["call_id"]!.GetValue<string>()).Distinct());
        Assert.Equal(409, otherBody.Status);
        var calls = await first.GetWireAsync($"{List}?to={Uri.EscapeDataString(to)}&per_page=100");
        Assert.Single(calls.CallIds);
    }

    [Fact]
    public async Task A_PostgreSQL_crash_under_load_answers_503_and_recovers_without_losing_an_acknowledged_write()
    {
        var keys = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            keys.Add((await cluster.NewKeyAsync()).Secret);
        }
        await cluster.ConnectBoxAsync(keys[0]);
        var acknowledged = new ConcurrentDictionary<string, string>(); // idempotency key → call id
        var reported = new ConcurrentDictionary<string, bool>();        // call ids whose ringing report was acknowledged
        var unacknowledged = new ConcurrentDictionary<string, string>(); // idempotency key → to
        var unavailable = 0;
        var unexpected = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        var workers = keys.Select((key, worker) => Task.Run(async () =>
        {
            using var first = cluster.Client(0, key);
            using var second = cluster.Client(1, key);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var idempotencyKey = $"crash-{worker}-{n}-{Guid.NewGuid():N}";
                var to = $"+90542{worker}{n:D6}";
                var made = await Send(() => (n % 2 == 0 ? first : second).MakeCallAsync(Cluster.Serial, to: to, idempotencyKey: idempotencyKey));
                if (made?.Status != 200)
                {
                    unacknowledged[idempotencyKey] = to;
                    await Task.Delay(30);
                    continue;
                }
                var callId = made.Json["data"]!["call_id"]!.GetValue<string>();
                acknowledged[idempotencyKey] = callId;
                var report = await Send(() => (n % 2 == 0 ? second : first).PostJsonAsync($"/api/gateway/v1/call/{callId}/events", """{"status":"ringing"}"""));
                if (report?.Status == 200)
                {
                    reported[callId] = true;
                }
                await Task.Delay(30);
            }
        })).ToList();

        async Task<WireResponse?> Send(Func<Task<WireResponse>> request)
        {
            try
            {
                var answer = await request();
                if (answer.Status == 503)
                {
                    Interlocked.Increment(ref unavailable);
                    if (answer.Header("Retry-After") is null || answer.Json["status"]?.GetValue<string>() != "error")
                    {
                        unexpected.Add($"a 503 without Retry-After or envelope: {answer.Body}");
                    }
                }
                else if (answer.Status != 200)
                {
                    unexpected.Add($"{answer.Status}: {answer.Body}");
                }
                return answer;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                unexpected.Add($"no answer: {exception.Message}");
                return null;
            }
        }

        await Task.Delay(1500, TestContext.Current.CancellationToken);
        var beforeCrash = acknowledged.Count;
        await cluster.Postgres.StopAsync();
        await Task.Delay(2000, TestContext.Current.CancellationToken);
        var duringOutage = acknowledged.Count;
        await cluster.Postgres.StartAgainAsync();

        // Both nodes come back by themselves.
        var recovered = Stopwatch.StartNew();
        var acknowledgedAtRestart = acknowledged.Count;
        foreach (var address in cluster.Addresses)
        {
            using var probe = new HttpClient { BaseAddress = address };
            while ((await probe.GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode != System.Net.HttpStatusCode.OK)
            {
                Assert.True(recovered.Elapsed < TimeSpan.FromSeconds(30), "a node did not recover");
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
        var ready = recovered.Elapsed;
        while (acknowledged.Count < acknowledgedAtRestart + 20 && recovered.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        var writing = recovered.Elapsed;
        var acknowledgedAfterRestart = acknowledged.Count - acknowledgedAtRestart;
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        // Retried with their keys, the unanswered make-calls are made once: new, or the answer they had been given.
        using var client = cluster.Client(0, keys[0]);
        var resent = 0;
        foreach (var (idempotencyKey, to) in unacknowledged)
        {
            var made = await client.MakeCallAsync(Cluster.Serial, to: to, idempotencyKey: idempotencyKey);
            while (made.Status == 429)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
                made = await client.MakeCallAsync(Cluster.Serial, to: to, idempotencyKey: idempotencyKey);
            }
            Assert.Equal(200, made.Status);
            acknowledged[idempotencyKey] = made.Json["data"]!["call_id"]!.GetValue<string>();
            resent++;
        }

        var lost = 0;
        foreach (var callId in acknowledged.Values)
        {
            var details = await GetWithinLimitAsync(client, $"/api/gateway/v1/call/{callId}");
            if (details.Status != 200 || reported.ContainsKey(callId) && details.Json["data"]!["status"]!.GetValue<string>() != "ringing")
            {
                lost++;
            }
        }
        // A make-call whose answer was lost may have been written: its retry must have found it, not made another.
        var duplicated = 0;
        foreach (var to in unacknowledged.Values)
        {
            duplicated += (await GetWithinLimitAsync(client, $"{List}?per_page=100&to={Uri.EscapeDataString(to)}")).CallIds.Count - 1;
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"acknowledged make-calls: {acknowledged.Count - resent} ({beforeCrash} before the crash, {duringOutage - beforeCrash} during it, " +
            $"{acknowledged.Count - resent - duringOutage} after); acknowledged reports: {reported.Count}; 503 answers: {unavailable}; " +
            $"re-sent: {resent}; both nodes ready {ready.TotalMilliseconds:0} ms after the restart, 20 more calls acknowledged after " +
            $"{writing.TotalMilliseconds:0} ms; lost: {lost}; duplicated: {duplicated}");
        Assert.Empty(unexpected);
        Assert.True(unavailable > 0, "the outage was never seen");
        Assert.True(acknowledgedAfterRestart >= 20, $"only {acknowledgedAfterRestart} writes were acknowledged after the restart");
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicated);
        Assert.Equal(acknowledged.Count, acknowledged.Values.Distinct().Count());
    }

    /// <summary>A GET that waits out the key's rate limit (the checks above read more than one key's share).</summary>
    private static async Task<WireResponse> GetWithinLimitAsync(HttpClient client, string path)
    {
        var answer = await client.GetWireAsync(path);
        while (answer.Status == 429)
        {
            await Task.Delay(TimeSpan.FromSeconds(int.Parse(answer.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture)), TestContext.Current.CancellationToken);
            answer = await client.GetWireAsync(path);
        }
        return answer;
    }
}
