using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Salpre.Gateway.RateLimits;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Tests.Calls;

/// <summary>
/// GET /call/export: the list's calls in one streamed answer (NDJSON or CSV, with details or not), resumable after a
/// call, gzip on request, paid for in rate-limit tokens, and cut, never ended, when it fails half-way.
/// </summary>
public sealed class CallExportTests(CallExportTests.Seeded seeded) : IClassFixture<CallExportTests.Seeded>
{
    private const string Export = "/api/gateway/v1/call/export";
    private const string List = "/api/gateway/v1/call/list";

    public sealed class Seeded : GatewayFactory
    {
        /// <summary>5,000 calls: the export reads them in three chunks.</summary>
        public TestAccount Big { get; private set; } = null!;

        public TestAccount Small { get; private set; } = null!;
        public IReadOnlyList<CallDetailsRecord> SmallCalls { get; private set; } = [];

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Big = await CreateAccountAsync();
            await SeedAsync(Big.Id, CallData.Generate(5_000, seed: 11));
            Small = await CreateAccountAsync();
            SmallCalls = await SeedAsync(Small.Id, CallData.Generate(300, seed: 12));
        }
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static List<JsonNode> Lines(string body)
    {
        Assert.EndsWith("\n", body);
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!)];
    }

    /// <summary>Every call of a list query, page after page through its cursor.</summary>
    private static async Task<List<JsonNode>> ListAllAsync(HttpClient client, string query)
    {
        var calls = new List<JsonNode>();
        var page = await client.GetWireAsync($"{List}?per_page=100&{query}");
        while (true)
        {
            Assert.Equal(200, page.Status);
            calls.AddRange(page.Data.Select(call => call!.DeepClone()));
            if (page.Meta["next_cursor"]?.GetValue<string>() is not { } cursor) return calls;
            page = await client.GetWireAsync($"{List}?cursor={Uri.EscapeDataString(cursor)}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("order=asc")]
    [InlineData("status=completed,failed&agent_id=2")]
    [InlineData("started_after=2025-10-20&started_before=2026-01-01&tz=Europe/Istanbul&order=asc")]
    [InlineData("to=%2B905321000003&direction=outbound")]
    public async Task Streams_every_call_the_list_shows_in_its_order_with_its_filters(string query)
    {
        var client = seeded.Client(seeded.Big.Key);

        var export = await client.GetWireAsync($"{Export}?{query}");
        var listed = await ListAllAsync(client, query);

        Assert.Equal(200, export.Status);
        Assert.Equal("application/x-ndjson; charset=utf-8", export.Message.Content.Headers.ContentType?.ToString());
        var lines = Lines(export.Body);
        Assert.NotEmpty(listed);
        Assert.Equal(listed.Count, lines.Count);
        Assert.All(listed.Zip(lines), pair => Assert.True(JsonNode.DeepEquals(pair.First, pair.Second), $"{pair.First} != {pair.Second}"));
    }

    [Fact]
    public async Task With_details_each_line_is_what_the_calls_details_answer()
    {
        var client = seeded.Client(seeded.Small.Key);

        var export = await client.GetWireAsync($"{Export}?include=details&order=asc");

        Assert.Equal(200, export.Status);
        var lines = Lines(export.Body);
        Assert.Equal(seeded.SmallCalls.InListOrder(ascending: true).Select(call => $"c{call.Call.CallNum}"), lines.Select(line => line["call_id"]!.GetValue<string>()));
        Assert.Contains(lines, line => line["transcript"] is not null);
        foreach (var line in lines)
        {
            var details = await client.GetWireAsync($"/api/gateway/v1/call/{line["call_id"]}");
            Assert.True(JsonNode.DeepEquals(details.Json["data"], line), $"{details.Json["data"]} != {line}");
        }
    }

    [Fact]
    public async Task Csv_has_the_imports_columns_and_quotes_what_needs_quoting()
    {
        var account = await seeded.CreateAccountAsync();
        var started = CallData.Epoch.ToUnixTimeSeconds();
        await seeded.SeedAsync(account.Id,
        [
            new CallDetailsRecord(new CallRecord(0, CallStatus.Completed, "salprebox:A,\"B\"", "+905321234567", 5, CallDirection.Outbound, started, started + 70, 60),
                "https://r.example.com/1.mp3", "Agent: Hi, there.\nCustomer: \"Hello\"", """{"k":"v, w"}"""),
            new CallDetailsRecord(new CallRecord(0, CallStatus.Ringing, " 7", "+905321234568", 6, CallDirection.Inbound, started + 100, null, null), null, null, null),
        ]);
        var client = seeded.Client(account.Key);

        var plain = await client.GetWireAsync($"{Export}?format=csv&order=asc");
        var details = await client.GetWireAsync($"{Export}?format=csv&include=details&order=asc");

        Assert.Equal("text/csv; charset=utf-8", plain.Message.Content.Headers.ContentType?.ToString());
        var ids = (await ListAllAsync(client, "order=asc")).Select(call => call["call_id"]!.GetValue<string>()).ToList();
        Assert.Equal(
            "call_id,status,from,to,agent_id,direction,started_at,ended_at,duration_sec\n" +
            $"{ids[0]},completed,\"salprebox:A,\"\"B\"\"\",+905321234567,5,outbound,2025-10-01T00:00:00Z,2025-10-01T00:01:10Z,60\n" +
            $"{ids[1]},ringing, 7,+905321234568,6,inbound,2025-10-01T00:01:40Z,,\n",
            plain.Body);
        Assert.Equal(
            "call_id,status,from,to,agent_id,direction,started_at,ended_at,duration_sec,audio_record_url,transcript,variables\n" +
            $"{ids[0]},completed,\"salprebox:A,\"\"B\"\"\",+905321234567,5,outbound,2025-10-01T00:00:00Z,2025-10-01T00:01:10Z,60," +
            "https://r.example.com/1.mp3,\"Agent: Hi, there.\nCustomer: \"\"Hello\"\"\",\"{\"\"k\"\":\"\"v, w\"\"}\"\n" +
            $"{ids[1]},ringing, 7,+905321234568,6,inbound,2025-10-01T00:01:40Z,,,,,\n",
            details.Body);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("order=asc", 2_500)]
    [InlineData("status=completed", 400)]
    [InlineData("order=asc&agent_id=3", 999)]
    public async Task After_a_call_goes_on_right_after_it_in_the_exports_order(string query, int index)
    {
        var client = seeded.Client(seeded.Big.Key);
        var whole = Lines((await client.GetWireAsync($"{Export}?{query}")).Body);
        var after = whole[index]["call_id"]!.GetValue<string>();

        var rest = Lines((await client.GetWireAsync($"{Export}?{query}&after={after}")).Body);
        var bare = Lines((await client.GetWireAsync($"{Export}?{query}&after={after[1..]}")).Body);

        Assert.Equal(whole.Count - index - 1, rest.Count);
        Assert.Equal(whole.Skip(index + 1).Select(call => call.ToJsonString()), rest.Select(call => call.ToJsonString()));
        Assert.Equal(rest.Count, bare.Count);
    }

    [Theory]
    [InlineData("format=xml", "format")]
    [InlineData("format=csv&format=ndjson", "format")]
    [InlineData("include=transcript", "include")]
    [InlineData("after=c0", "after")]
    [InlineData("after=banana", "after")]
    [InlineData("after=c999999999", "after")]
    [InlineData("per_page=10", "per_page")]
    [InlineData("cursor=abc", "cursor")]
    [InlineData("satus=completed", "satus")]
    [InlineData("status=bogus", "status")]
    [InlineData("order=newest", "order")]
    [InlineData("started_after=yesterday", "started_after")]
    public async Task Refuses_a_bad_or_unknown_parameter_naming_it(string query, string param)
    {
        var response = await seeded.Client(seeded.Big.Key).GetWireAsync($"{Export}?{query}");

        Assert.Equal(400, response.Status);
        Assert.Equal("invalid_parameter", response.Json["code"]!.GetValue<string>());
        Assert.Equal(param, response.Json["param"]!.GetValue<string>());
        Assert.StartsWith($"Invalid {param} value", response.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_account_exports_only_its_own_calls_and_cannot_resume_after_anothers()
    {
        var small = seeded.Client(seeded.Small.Key);
        var bigCall = Lines((await seeded.Client(seeded.Big.Key).GetWireAsync($"{Export}")).Body)[0]["call_id"]!.GetValue<string>();

        var own = Lines((await small.GetWireAsync(Export)).Body);
        var foreign = await small.GetWireAsync($"{Export}?after={bigCall}");
        var unauthenticated = await seeded.Client().GetWireAsync(Export);
        var (_, writeOnly) = await seeded.CreateKeyAsync(seeded.Small.Id, KeyScopes.Write);
        var wrongScope = await seeded.Client(writeOnly).GetWireAsync(Export);

        Assert.Equal(seeded.SmallCalls.Select(call => $"c{call.Call.CallNum}").Order(), own.Select(line => line["call_id"]!.GetValue<string>()).Order());
        Assert.Equal((400, "after"), (foreign.Status, foreign.Json["param"]!.GetValue<string>()));
        Assert.Equal(401, unauthenticated.Status);
        Assert.Equal(403, wrongScope.Status);
    }

    [Theory]
    [InlineData("gzip", true)]
    [InlineData("br, gzip;q=0.5", true)]
    [InlineData("gzip;q=0", false)]
    [InlineData("identity", false)]
    public async Task Compresses_with_gzip_when_the_client_takes_it(string acceptEncoding, bool compressed)
    {
        var client = seeded.Client(seeded.Big.Key);
        var plain = await client.GetWireAsync(Export);
        using var request = new HttpRequestMessage(HttpMethod.Get, Export);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);

        using var response = await client.SendAsync(request, Cancel);
        var bytes = await response.Content.ReadAsByteArrayAsync(Cancel);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(compressed ? ["gzip"] : [], response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        var body = compressed ? Gunzip(bytes) : System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Equal(plain.Body, body);
        if (compressed)
        {
            Assert.True(bytes.Length * 4 < plain.Body.Length, $"{bytes.Length} compressed bytes for {plain.Body.Length}");
        }
    }

    private static string Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }

    [Fact]
    public async Task Costs_a_token_for_each_thousand_calls_beyond_the_first_thousand()
    {
        // One token a second: the export's 5,000 calls cost the request's token and 4 more.
        await using var gateway = new GatewayFactory().With("RateLimiting:RequestsPerSecond", "1").With("RateLimiting:Burst", "30");
        await gateway.InitializeAsync();
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(5_000, seed: 3));
        var client = gateway.Client(account.Key);

        var before = await client.GetWireAsync($"{List}?per_page=1");
        var export = await client.GetWireAsync(Export);
        var after = await client.GetWireAsync($"{List}?per_page=1");

        Assert.Equal(5_000, Lines(export.Body).Count);
        var left = Remaining(after);
        // Without the export's cost the list would have found 28 tokens; a refill of one or two may come meanwhile.
        Assert.Equal("\"key\";r=29;t=1", before.Header(KeyRateLimiter.StateHeader));
        Assert.InRange(left, 23, 25);
    }

    private static int Remaining(WireResponse response) =>
        int.Parse(response.Header(KeyRateLimiter.StateHeader)!.Split(';')[1][2..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_export_that_waits_for_tokens_slows_down_instead_of_failing()
    {
        await using var gateway = new GatewayFactory().With("RateLimiting:RequestsPerSecond", "2").With("RateLimiting:Burst", "2");
        await gateway.InitializeAsync();
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(4_000, seed: 4));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var export = await gateway.Client(account.Key).GetWireAsync(Export);

        // The request takes a token of two; three more thousands need three more tokens, two a second: at least 0.5 s.
        Assert.Equal(200, export.Status);
        Assert.Equal(4_000, Lines(export.Body).Count);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(450), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task The_first_calls_arrive_before_the_rest_is_read_and_a_failure_after_them_cuts_the_answer()
    {
        var store = new StallingStore();
        await using var gateway = new GatewayFactory().WithServices(services =>
        {
            var real = services.Last(service => service.ServiceType == typeof(ICallStore)).ImplementationType!;
            services.AddSingleton<ICallStore>(sp => store.Wrap((ICallStore)ActivatorUtilities.CreateInstance(sp, real)));
        });
        await gateway.InitializeAsync();
        gateway.ExpectsFaults = true;
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(4_500, seed: 5));
        using var client = gateway.Client(account.Key);

        // The export's second read waits until the client holds a line of the first: a buffered answer never comes.
        using var response = await client.GetAsync(Export, HttpCompletionOption.ResponseHeadersRead, Cancel);
        using var body = new StreamReader(await response.Content.ReadAsStreamAsync(Cancel));
        var first = await body.ReadLineAsync(Cancel);
        store.FirstLineSeen.SetResult();
        var rest = async () => await body.ReadToEndAsync(Cancel);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.StartsWith("{\"call_id\":\"c", first);
        var cut = await Assert.ThrowsAnyAsync<IOException>(rest);
        Assert.IsType<HttpIOException>(cut);
    }

    /// <summary>
    /// A call store whose second list read of a thousand rows or more waits for the test to see the first line, then
    /// fails, as a database that goes away mid-export would.
    /// </summary>
    private sealed class StallingStore
    {
        private int _reads;

        public TaskCompletionSource FirstLineSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ICallStore Wrap(ICallStore inner) => new Store(this, inner);

        private async Task<IReadOnlyList<CallRecord>> ListAsync(ICallStore inner, long accountId, CallQuery query, CancellationToken cancellationToken)
        {
            if (query.Limit < 1_000 || Interlocked.Increment(ref _reads) != 2)
            {
                return await inner.ListAsync(accountId, query, cancellationToken);
            }
            await FirstLineSeen.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            throw new InvalidOperationException("the disk went away");
        }

        private sealed class Store(StallingStore owner, ICallStore inner) : ICallStore
        {
            public Task<IReadOnlyList<CallRecord>> ListAsync(long accountId, CallQuery query, CancellationToken cancellationToken) => owner.ListAsync(inner, accountId, query, cancellationToken);
            public Task<long> GetVersionAsync(long accountId, CancellationToken cancellationToken) => inner.GetVersionAsync(accountId, cancellationToken);
            public Task<VersionedCalls> ListWithVersionAsync(long accountId, CallQuery query, CancellationToken cancellationToken) => inner.ListWithVersionAsync(accountId, query, cancellationToken);
            public Task<IReadOnlyList<CallDetailsRecord>> ListDetailsAsync(long accountId, CallQuery query, CancellationToken cancellationToken) => inner.ListDetailsAsync(accountId, query, cancellationToken);
            public Task<long> CountAsync(long accountId, CallFilter filter, CancellationToken cancellationToken) => inner.CountAsync(accountId, filter, cancellationToken);
            public Task<IReadOnlyList<Storage.Calls.Stats.StatsRow>> GetStatsAsync(long accountId, Storage.Calls.Stats.StatsQuery query, CancellationToken cancellationToken) => inner.GetStatsAsync(accountId, query, cancellationToken);
            public Task<CallDetailsRecord?> GetAsync(long accountId, long callNum, CancellationToken cancellationToken) => inner.GetAsync(accountId, callNum, cancellationToken);
            public Task<long> ReserveCallNumbersAsync(long count, long above, CancellationToken cancellationToken) => inner.ReserveCallNumbersAsync(count, above, cancellationToken);
            public Task<ImportOutcome> ImportAsync(long accountId, IAsyncEnumerable<CallDetailsRecord> calls, bool withEvents, CancellationToken cancellationToken) => inner.ImportAsync(accountId, calls, withEvents, cancellationToken);
            public Task<CreateOutcome> CreateAsync(long accountId, NewCall call, IdempotencyClaim? claim, Func<CallRecord, byte[]> render, CancellationToken cancellationToken) => inner.CreateAsync(accountId, call, claim, render, cancellationToken);
            public Task<CreateOutcome?> FindIdempotentAsync(long accountId, IdempotencyClaim claim, CancellationToken cancellationToken) => inner.FindIdempotentAsync(accountId, claim, cancellationToken);
            public Task<EventOutcome> RecordEventAsync(long accountId, long callNum, CallEvent report, CallOutcome? outcome, CancellationToken cancellationToken) => inner.RecordEventAsync(accountId, callNum, report, outcome, cancellationToken);
            public Task<IReadOnlyList<CallEventRecord>?> ListEventsAsync(long accountId, long callNum, CancellationToken cancellationToken) => inner.ListEventsAsync(accountId, callNum, cancellationToken);
            public Task<long> ForgetIdempotencyKeysAsync(long before, CancellationToken cancellationToken) => inner.ForgetIdempotencyKeysAsync(before, cancellationToken);
        }
    }
}
