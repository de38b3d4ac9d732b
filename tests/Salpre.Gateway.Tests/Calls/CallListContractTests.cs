using System.Text.RegularExpressions;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Tests.Calls;

/// <summary>GET /call/list against the List Calls document and CONTRACT.md, read from the raw bytes.</summary>
public sealed partial class CallListContractTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    private const string List = "/api/gateway/v1/call/list";

    private static readonly string[] s_callFields =
        ["call_id", "status", "from", "to", "agent_id", "direction", "started_at", "ended_at", "duration_sec"];

    [Fact]
    public async Task Answers_the_documents_sample_request_with_the_documents_shape()
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(25, seed: 7));

        var response = await gateway.Client(account.Key).GetWireAsync($"{List}?per_page=10");

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json; charset=utf-8", response.Header("Content-Type"));
        Assert.StartsWith("""{"status":"success","data":[{"call_id":"c""", response.Body);
        Assert.Equal(["status", "data", "meta"], WireResponse.FieldOrder(response.Json));
        Assert.Equal(10, response.Data.Count);
        foreach (var call in response.Data)
        {
            Assert.Equal(s_callFields, WireResponse.FieldOrder(call!));
            Assert.Matches(CallIdPattern(), call!["call_id"]!.GetValue<string>());
            Assert.Matches(UtcSecondsPattern(), call["started_at"]!.GetValue<string>());
            Assert.Equal(System.Text.Json.JsonValueKind.Number, call["agent_id"]!.GetValueKind());
            var ended = call["ended_at"];
            var duration = call["duration_sec"];
            if (ended is null)
            {
                Assert.Null(duration);
            }
            else
            {
                Assert.Matches(UtcSecondsPattern(), ended.GetValue<string>());
                Assert.Equal(System.Text.Json.JsonValueKind.Number, duration!.GetValueKind());
            }
        }
        Assert.Equal(["per_page", "page", "has_next", "next_cursor"], WireResponse.FieldOrder(response.Meta));
        Assert.Contains("\"meta\":{\"per_page\":10,\"page\":1,\"has_next\":true,\"next_cursor\":\"", response.Body);
    }

    [Fact]
    public async Task Shows_times_as_utc_seconds_and_null_until_a_call_ends()
    {
        var account = await gateway.CreateAccountAsync();
        var started = new DateTimeOffset(2025, 10, 9, 10, 41, 22, TimeSpan.Zero).ToUnixTimeSeconds();
        await gateway.SeedAsync(account.Id,
        [
            new CallDetailsRecord(new CallRecord(123456, CallStatus.Completed, "salprebox:EXAMPLE_SERIAL_NO", "+905321234567", 5, CallDirection.Outbound, started, started + 162, 162), null, null, null),
            new CallDetailsRecord(new CallRecord(123457, CallStatus.Ringing, "salprebox:EXAMPLE_SERIAL_NO", "+905321234567", 5, CallDirection.Inbound, started - 5, null, null), null, null, null),
        ]);

        var response = await gateway.Client(account.Key).GetWireAsync(List);

        Assert.StartsWith(
            """{"status":"success","data":[{"call_id":"c123456","status":"completed","from":"salprebox:EXAMPLE_SERIAL_NO","to":"+905321234567","agent_id":5,"direction":"outbound","started_at":"2025-10-09T10:41:22Z","ended_at":"2025-10-09T10:44:04Z","duration_sec":162},""" +
            """{"call_id":"c123457","status":"ringing","from":"salprebox:EXAMPLE_SERIAL_NO","to":"+905321234567","agent_id":5,"direction":"inbound","started_at":"2025-10-09T10:41:17Z","ended_at":null,"duration_sec":null}],""" +
            "\"meta\":{\"per_page\":10,\"page\":1,\"has_next\":false,\"next_cursor\":null}}",
            response.Body);
    }

    [Theory]
    [InlineData("per_page=0")]
    [InlineData("per_page=-1")]
    [InlineData("per_page=101")]
    [InlineData("per_page=1000")]
    [InlineData("per_page=10abc")]
    [InlineData("per_page=abc")]
    [InlineData("per_page=1e1")]
    [InlineData("per_page=10.0")]
    [InlineData("per_page=%2B10")]
    [InlineData("per_page=%2010")]
    [InlineData("per_page=")]
    [InlineData("per_page")]
    [InlineData("per_page=99999999999999999999999")]
    [InlineData("per_page=10&per_page=10")]
    [InlineData("per_page=5&per_page=6")]
    public async Task Refuses_any_other_per_page_with_the_documents_message(string query)
    {
        var account = await gateway.CreateAccountAsync();

        var response = await gateway.Client(account.Key).GetWireAsync($"{List}?{query}");

        Assert.Equal(400, response.Status);
        Assert.StartsWith("""{"status":"error","message":"Invalid per_page value","code":"invalid_parameter","param":"per_page","request_id":""", response.Body);
        Assert.Equal(response.Header("X-Request-Id"), response.Json["request_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("page=-3")]
    [InlineData("page=x")]
    [InlineData("page=")]
    [InlineData("page=2147483648")]
    [InlineData("page=1&page=1")]
    public async Task Refuses_an_invalid_page(string query)
    {
        var account = await gateway.CreateAccountAsync();

        var response = await gateway.Client(account.Key).GetWireAsync($"{List}?{query}");

        Assert.Equal(400, response.Status);
        Assert.StartsWith("""{"status":"error","message":"Invalid page value","code":"invalid_parameter","param":"page",""", response.Body);
    }

    [Theory]
    [InlineData(null, 10)]
    [InlineData("1", 1)]
    [InlineData("100", 100)]
    [InlineData("007", 7)]
    public async Task Takes_per_page_from_1_to_100_with_10_by_default(string? perPage, int expected)
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(120, seed: 3));

        var response = await gateway.Client(account.Key).GetWireAsync(perPage is null ? List : $"{List}?per_page={perPage}");

        Assert.Equal(200, response.Status);
        Assert.Equal(expected, response.Data.Count);
        Assert.Equal(expected, response.Meta["per_page"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(20, 10, 1, 10, true)]
    [InlineData(20, 10, 2, 10, false)]
    [InlineData(20, 10, 3, 0, false)]
    [InlineData(20, 20, 1, 20, false)]
    [InlineData(20, 19, 1, 19, true)]
    [InlineData(20, 19, 2, 1, false)]
    [InlineData(21, 10, 3, 1, false)]
    [InlineData(0, 10, 1, 0, false)]
    [InlineData(1, 1, 1, 1, false)]
    [InlineData(2, 1, 1, 1, true)]
    public async Task Says_has_next_exactly_at_every_boundary(int calls, int perPage, int page, int expectedCount, bool expectedHasNext)
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(calls, seed: calls));

        var response = await gateway.Client(account.Key).GetWireAsync($"{List}?per_page={perPage}&page={page}");

        Assert.Equal(200, response.Status);
        Assert.Equal(expectedCount, response.Data.Count);
        Assert.Equal(expectedHasNext, response.Meta["has_next"]!.GetValue<bool>());
        Assert.Equal(page, response.Meta["page"]!.GetValue<int>());
        Assert.Equal(expectedHasNext, response.Meta["next_cursor"] is not null);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Orders_newest_first_with_call_id_breaking_ties_and_pages_through_everything_once(bool ascending)
    {
        var account = await gateway.CreateAccountAsync();
        var seeded = await gateway.SeedAsync(account.Id, CallData.Generate(53, seed: 11));
        var expected = seeded.InListOrder(ascending).Select(call => $"c{call.Call.CallNum}").ToList();
        Assert.True(seeded.GroupBy(c => c.Call.StartedAt).Any(g => g.Count() > 1), "the data must hold ties");

        var seen = new List<string>();
        for (var page = 1; ; page++)
        {
            var response = await gateway.Client(account.Key).GetWireAsync($"{List}?per_page=7&page={page}{(ascending ? "&order=asc" : "")}");
            seen.AddRange(response.CallIds);
            if (!response.Meta["has_next"]!.GetValue<bool>())
            {
                break;
            }
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Names_unknown_parameters_and_otherwise_ignores_them()
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(12, seed: 5));
        var client = gateway.Client(account.Key);

        var plain = await client.GetWireAsync($"{List}?per_page=5");
        var typo = await client.GetWireAsync($"{List}?stauts=failed&per_page=5&utm_source=x");

        Assert.Equal(200, typo.Status);
        Assert.Equal(plain.CallIds, typo.CallIds);
        Assert.Equal(["stauts", "utm_source"], typo.Meta["ignored_parameters"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Null(plain.Meta["ignored_parameters"]);
        Assert.False(plain.Meta.AsObject().ContainsKey("ignored_parameters"));
    }

    [Fact]
    public async Task Counts_the_total_only_when_asked()
    {
        var account = await gateway.CreateAccountAsync();
        var seeded = await gateway.SeedAsync(account.Id, CallData.Generate(37, seed: 9));
        var client = gateway.Client(account.Key);

        var withTotal = await client.GetWireAsync($"{List}?include_total=true&per_page=5");
        var filtered = await client.GetWireAsync($"{List}?include_total=true&status=completed");
        var without = await client.GetWireAsync($"{List}?include_total=false");
        var invalid = await client.GetWireAsync($"{List}?include_total=yes");

        Assert.Equal(37, withTotal.Meta["total"]!.GetValue<long>());
        Assert.Equal(seeded.Count(c => c.Call.Status == CallStatus.Completed), filtered.Meta["total"]!.GetValue<long>());
        Assert.False(without.Meta.AsObject().ContainsKey("total"));
        Assert.Equal(400, invalid.Status);
        Assert.Equal("Invalid include_total value", invalid.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Answers_an_empty_account_and_a_page_past_the_end_with_an_empty_list()
    {
        var account = await gateway.CreateAccountAsync();

        var response = await gateway.Client(account.Key).GetWireAsync($"{List}?page=5");

        Assert.Equal(200, response.Status);
        Assert.Equal("""{"status":"success","data":[],"meta":{"per_page":10,"page":5,"has_next":false,"next_cursor":null}}""", response.Body);
    }

    [Fact]
    public async Task Sends_no_store_on_authenticated_answers()
    {
        var account = await gateway.CreateAccountAsync();

        var response = await gateway.Client(account.Key).GetWireAsync(List);

        Assert.Equal("no-store", response.Message.Headers.CacheControl?.ToString());
    }

    [GeneratedRegex("^c[1-9][0-9]*$")]
    private static partial Regex CallIdPattern();

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")]
    private static partial Regex UtcSecondsPattern();
}
