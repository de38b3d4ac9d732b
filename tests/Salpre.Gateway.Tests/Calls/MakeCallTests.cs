using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Calls;

/// <summary>POST /call/make-call: the three content types, validation, boxes, scopes and idempotency keys.</summary>
public sealed class MakeCallTests(MakeCallTests.Gateway gateway) : IClassFixture<MakeCallTests.Gateway>
{
    private const string MakeCall = "/api/gateway/v1/call/make-call";

    /// <summary>A test clock, and a call rate high enough never to get in the way here.</summary>
    public sealed class Gateway : GatewayFactory
    {
        public Gateway()
        {
            With("MakeCall:CallsPerSecond", "100000");
            With("MakeCall:Burst", "100000");
            WithServices(services => services.AddSingleton<TimeProvider>(Clock));
        }

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    }

    public static TheoryData<string> ContentTypes() => ["multipart", "urlencoded", "json", "json-number"];

    [Theory]
    [MemberData(nameof(ContentTypes))]
    public async Task Starts_an_initiated_call_from_any_of_the_three_content_types(string kind)
    {
        var account = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);
        var client = gateway.Client(account.Key);
        HttpContent content = kind switch
        {
            "multipart" => new MultipartFormDataContent { { new StringContent($"salprebox:{serial}"), "from" }, { new StringContent("+905321234567"), "to" }, { new StringContent("5"), "agent_id" } },
            "urlencoded" => new FormUrlEncodedContent([new("from", $"salprebox:{serial}"), new("to", "+905321234567"), new("agent_id", "5")]),
            "json" => new StringContent($$"""{"from":"salprebox:{{serial}}","to":"+905321234567","agent_id":"5"}""", Encoding.UTF8, "application/json"),
            _ => new StringContent($$"""{"from":"salprebox:{{serial}}","to":"+905321234567","agent_id":5}""", Encoding.UTF8, "application/json"),
        };

        var response = await client.SendWireAsync(new HttpRequestMessage(HttpMethod.Post, MakeCall) { Content = content });
        var callId = response.Json["data"]!["call_id"]!.GetValue<string>();
        var details = await client.GetWireAsync($"/api/gateway/v1/call/{callId}");
        var logs = await client.GetWireAsync($"/api/gateway/v1/call/{callId}/logs");
        var list = await client.GetWireAsync("/api/gateway/v1/call/list");

        Assert.Equal(200, response.Status);
        Assert.Equal($$$"""{"status":"success","data":{"call_id":"{{{callId}}}","status":"initiated","agent_id":5,"from":"salprebox:{{{serial}}}","to":"+905321234567"}}""", response.Body);
        Assert.Equal("initiated", details.Json["data"]!["status"]!.GetValue<string>());
        Assert.Equal("outbound", details.Json["data"]!["direction"]!.GetValue<string>());
        Assert.Null(details.Json["data"]!["ended_at"]);
        Assert.Equal(gateway.Clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), details.Json["data"]!["started_at"]!.GetValue<string>());
        Assert.Equal("initiated", logs.Data.Single()!["status"]!.GetValue<string>());
        Assert.Equal(callId, list.CallIds[0]);
    }

    [Theory]
    [InlineData("from", "SALPRE_1", "+905321234567", "5")]
    [InlineData("from", "", "+905321234567", "5")]
    [InlineData("from", "salprebox:", "+905321234567", "5")]
    [InlineData("to", "BOX", "905321234567", "5")]
    [InlineData("to", "BOX", "+90532", "5")]
    [InlineData("to", "BOX", "+1 555 0100 abc", "5")]
    [InlineData("to", "BOX", "", "5")]
    [InlineData("agent_id", "BOX", "+905321234567", "abc")]
    [InlineData("agent_id", "BOX", "+905321234567", "-1")]
    [InlineData("agent_id", "BOX", "+905321234567", "1.5")]
    [InlineData("agent_id", "BOX", "+905321234567", "")]
    public async Task Refuses_an_invalid_field_by_name_and_creates_nothing(string field, string from, string to, string agent)
    {
        var account = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);
        var client = gateway.Client(account.Key);

        using var form = new MultipartFormDataContent
        {
            { new StringContent(from == "BOX" ? $"salprebox:{serial}" : from), "from" },
            { new StringContent(to), "to" },
            { new StringContent(agent), "agent_id" },
        };
        var response = await client.SendWireAsync(new HttpRequestMessage(HttpMethod.Post, MakeCall) { Content = form });
        var list = await client.GetWireAsync("/api/gateway/v1/call/list");

        Assert.Equal(400, response.Status);
        Assert.StartsWith($$"""{"status":"error","message":"Invalid {{field}} value","code":"invalid_parameter","param":"{{field}}",""", response.Body);
        Assert.Empty(list.Data);
    }

    [Fact]
    public async Task Refuses_unknown_boxes_other_accounts_boxes_and_disconnected_boxes()
    {
        var account = await gateway.CreateAccountAsync();
        var other = await gateway.CreateAccountAsync();
        var othersBox = await gateway.AddBoxAsync(other.Id);
        var sleepingBox = await gateway.AddBoxAsync(account.Id, connected: false);
        var client = gateway.Client(account.Key);

        var unknown = await client.MakeCallAsync("NO-SUCH-BOX");
        var foreign = await client.MakeCallAsync(othersBox);
        var sleeping = await client.MakeCallAsync(sleepingBox);

        Assert.Equal(400, unknown.Status);
        Assert.Equal(unknown.BodyWithoutRequestId(), foreign.BodyWithoutRequestId());
        Assert.Equal(409, sleeping.Status);
        Assert.StartsWith("""{"status":"error","message":"Device is not connected","code":"conflict",""", sleeping.Body);
    }

    [Fact]
    public async Task Ignores_fields_a_client_may_not_set()
    {
        var account = await gateway.CreateAccountAsync();
        var other = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);

        var response = await gateway.Client(account.Key).PostJsonAsync(MakeCall,
            $$"""{"from":"salprebox:{{serial}}","to":"+905321234567","agent_id":7,"status":"completed","call_id":"c999999","account_id":{{other.Id}},"duration_sec":99}""");
        var callId = response.Json["data"]!["call_id"]!.GetValue<string>();
        var details = await gateway.Client(account.Key).GetWireAsync($"/api/gateway/v1/call/{callId}");
        var fromOther = await gateway.Client(other.Key).GetWireAsync($"/api/gateway/v1/call/{callId}");

        Assert.Equal("initiated", details.Json["data"]!["status"]!.GetValue<string>());
        Assert.Null(details.Json["data"]!["duration_sec"]);
        Assert.NotEqual("c999999", callId);
        Assert.Equal(404, fromOther.Status);
    }

    [Fact]
    public async Task Answers_415_413_and_400_for_bodies_it_cannot_read()
    {
        var account = await gateway.CreateAccountAsync();
        var client = gateway.Client(account.Key);

        var text = await client.SendWireAsync(new HttpRequestMessage(HttpMethod.Post, MakeCall) { Content = new StringContent("from=x", Encoding.UTF8, "text/plain") });
        var none = await client.SendWireAsync(new HttpRequestMessage(HttpMethod.Post, MakeCall));
        var malformed = await client.PostJsonAsync(MakeCall, """{"from": """);
        var array = await client.PostJsonAsync(MakeCall, "[1,2]");
        using var huge = new ByteArrayContent(new byte[2 * 1024 * 1024]);
        huge.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        // Expect: 100-continue lets the gateway refuse before the body is sent (else the client may meet a closed socket).
        using var tooLargeRequest = new HttpRequestMessage(HttpMethod.Post, MakeCall) { Content = huge };
        tooLargeRequest.Headers.ExpectContinue = true;
        var tooLarge = await client.SendWireAsync(tooLargeRequest);

        Assert.Equal(415, text.Status);
        Assert.StartsWith("""{"status":"error","message":"Unsupported media type",""", text.Body);
        Assert.Equal(415, none.Status);
        Assert.Equal(400, malformed.Status);
        Assert.Equal("Malformed request body", malformed.Json["message"]!.GetValue<string>());
        Assert.Equal(400, array.Status);
        Assert.Equal(413, tooLarge.Status);
        Assert.StartsWith("""{"status":"error","message":"Request body too large",""", tooLarge.Body);
    }

    [Theory]
    [InlineData(KeyScopes.Read)]
    [InlineData(KeyScopes.Ingest)]
    [InlineData(KeyScopes.Read | KeyScopes.Ingest)]
    public async Task Needs_the_write_scope(KeyScopes scopes)
    {
        var account = await gateway.CreateAccountAsync(scopes);
        var serial = await gateway.AddBoxAsync(account.Id);

        var response = await gateway.Client(account.Key).MakeCallAsync(serial);

        Assert.Equal(403, response.Status);
        Assert.Equal("forbidden", response.Json["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Gives_a_retried_request_its_first_answer_and_refuses_the_key_for_another_request()
    {
        var account = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);
        var client = gateway.Client(account.Key);

        var first = await client.MakeCallAsync(serial, idempotencyKey: "order-42:attempt");
        var again = await client.MakeCallAsync(serial, idempotencyKey: "order-42:attempt");
        var asJson = await client.PostJsonAsync(MakeCall, $$"""{"from":"salprebox:{{serial}}","to":"+905321234567","agent_id":5}""", "order-42:attempt");
        var otherNumber = await client.MakeCallAsync(serial, to: "+905321234568", idempotencyKey: "order-42:attempt");
        var list = await client.GetWireAsync("/api/gateway/v1/call/list");

        Assert.Equal(200, first.Status);
        Assert.Equal(first.Body, again.Body);
        Assert.Equal("true", again.Header("Idempotent-Replayed"));
        Assert.Null(first.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body, asJson.Body);
        Assert.Equal(409, otherNumber.Status);
        Assert.Equal("This Idempotency-Key was used for another request", otherNumber.Json["message"]!.GetValue<string>());
        Assert.Single(list.Data);
    }

    [Fact]
    public async Task Fifty_concurrent_requests_with_one_key_create_exactly_one_call()
    {
        var account = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);
        var client = gateway.Client(account.Key);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.MakeCallAsync(serial, idempotencyKey: "same-key")));
        var list = await client.GetWireAsync("/api/gateway/v1/call/list?include_total=true");

        Assert.All(answers, answer => Assert.Equal(200, answer.Status));
        Assert.Single(answers.Select(answer => answer.Body).Distinct());
        Assert.Equal(1, list.Meta["total"]!.GetValue<long>());
        Assert.Equal(49, answers.Count(answer => answer.Header("Idempotent-Replayed") == "true"));
    }

    [Fact]
    public async Task Keys_belong_to_an_account_and_expire_after_24_hours()
    {
        var a = await gateway.CreateAccountAsync();
        var b = await gateway.CreateAccountAsync();
        var aBox = await gateway.AddBoxAsync(a.Id);
        var bBox = await gateway.AddBoxAsync(b.Id);

        var fromA = await gateway.Client(a.Key).MakeCallAsync(aBox, idempotencyKey: "shared-name");
        var fromB = await gateway.Client(b.Key).MakeCallAsync(bBox, idempotencyKey: "shared-name");
        gateway.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await gateway.Devices.RecordHeartbeatAsync(a.Id, aBox, null, null, CancellationToken.None);
        var afterADay = await gateway.Client(a.Key).MakeCallAsync(aBox, idempotencyKey: "shared-name");

        Assert.Equal(200, fromB.Status);
        Assert.NotEqual(fromA.Json["data"]!["call_id"]!.GetValue<string>(), fromB.Json["data"]!["call_id"]!.GetValue<string>());
        Assert.Null(fromB.Header("Idempotent-Replayed"));
        Assert.Equal(200, afterADay.Status);
        Assert.Null(afterADay.Header("Idempotent-Replayed"));
        Assert.NotEqual(fromA.Json["data"]!["call_id"]!.GetValue<string>(), afterADay.Json["data"]!["call_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefX")]
    public async Task Refuses_a_malformed_idempotency_key(string key)
    {
        var account = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);
        using var form = new MultipartFormDataContent { { new StringContent($"salprebox:{serial}"), "from" }, { new StringContent("+905321234567"), "to" }, { new StringContent("5"), "agent_id" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, MakeCall) { Content = form };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var response = await gateway.Client(account.Key).SendWireAsync(request);

        Assert.Equal(400, response.Status);
        Assert.Equal("Invalid Idempotency-Key value", response.Json["message"]!.GetValue<string>());
    }
}

/// <summary>The per-account call rate: beyond it, 429 with Retry-After and nothing done; other accounts untouched.</summary>
public sealed class MakeCallRateTests(MakeCallRateTests.Gateway gateway) : IClassFixture<MakeCallRateTests.Gateway>
{
    public sealed class Gateway : GatewayFactory
    {
        public Gateway()
        {
            With("MakeCall:CallsPerSecond", "1");
            With("MakeCall:Burst", "3");
        }
    }

    [Fact]
    public async Task An_account_starts_no_more_calls_than_its_rate_allows()
    {
        var hasty = await gateway.CreateAccountAsync();
        var calm = await gateway.CreateAccountAsync();
        var hastyBox = await gateway.AddBoxAsync(hasty.Id);
        var calmBox = await gateway.AddBoxAsync(calm.Id);

        var burst = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => gateway.Client(hasty.Key).MakeCallAsync(hastyBox)));
        var calmAnswers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => gateway.Client(calm.Key).MakeCallAsync(calmBox)));
        var hastyCalls = await gateway.Client(hasty.Key).GetWireAsync("/api/gateway/v1/call/list?include_total=true");

        var accepted = burst.Count(answer => answer.Status == 200);
        Assert.InRange(accepted, 3, 4); // the burst, plus at most one token refilled meanwhile
        Assert.All(burst.Where(answer => answer.Status != 200), answer =>
        {
            Assert.Equal(429, answer.Status);
            Assert.Equal("rate_limited", answer.Json["code"]!.GetValue<string>());
            Assert.True(int.Parse(answer.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        });
        Assert.Equal(accepted, hastyCalls.Meta["total"]!.GetValue<long>());
        Assert.All(calmAnswers, answer => Assert.Equal(200, answer.Status));
    }
}
