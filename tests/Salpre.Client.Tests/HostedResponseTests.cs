using System.Net;
using Salpre.Client.Tests.Infrastructure;

namespace Salpre.Client.Tests;

/// <summary>The hosted service's answers as its documents show them: numeric ids, string numbers, no cursor, extra fields.</summary>
public sealed class HostedResponseTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static SalpreClient Client(ScriptedHandler handler) =>
        new(new HttpClient(handler), new SalpreClientOptions { ApiKey = "k" });

    private static Func<HttpRequestMessage, HttpResponseMessage> Page(string data, bool hasNext, int page) =>
        _ => ScriptedHandler.Answer(HttpStatusCode.OK, $$$"""{"status":"success","data":[{{{data}}}],"meta":{"per_page":1,"page":{{{page}}},"has_next":{{{(hasNext ? "true" : "false")}}}}}""");

    [Fact]
    public async Task Defaults_to_the_hosted_address_and_reads_its_documented_list()
    {
        var handler = new ScriptedHandler(TimeProvider.System, Page(
            """{"call_id":"c123456","status":"completed","from":"salprebox:EXAMPLE_SERIAL_NO","to":"+905xxxxxxxxx","agent_id":5,"direction":"outbound","started_at":"2025-10-09T10:41:22Z","ended_at":"2025-10-09T10:44:04Z","duration_sec":162}""",
            hasNext: false, page: 1));
        using var client = Client(handler);

        var page = await client.Calls.ListAsync(new CallListOptions { PerPage = 10 }, Cancel);

        Assert.Equal("https://ai.salpre.com/api/gateway/v1/call/list?per_page=10", handler.Attempts[0].Request.RequestUri!.AbsoluteUri);
        Assert.Equal("k", handler.Attempts[0].Request.Headers.GetValues("account-secret-key").Single());
        var call = Assert.Single(page.Items);
        Assert.Equal(("c123456", CallStatus.Completed, 162), (call.CallId, call.Status, call.DurationSec!.Value));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Tolerates_numeric_ids_string_numbers_unknown_values_and_unknown_fields()
    {
        var handler = new ScriptedHandler(TimeProvider.System, Page(
            """{"call_id":874,"status":"voicemail","from":"salprebox:X","to":"+905321234567","agent_id":"5","direction":"outbound","started_at":"2025-10-09T13:41:22+03:00","ended_at":null,"duration_sec":null,"cost":{"usd":0.12}}""",
            hasNext: false, page: 1));
        using var client = Client(handler);

        var call = Assert.Single((await client.Calls.ListAsync(cancellationToken: Cancel)).Items);

        Assert.Equal(("874", CallStatus.Unknown, 5L), (call.CallId, call.Status, call.AgentId));
        Assert.Equal(new DateTimeOffset(2025, 10, 9, 10, 41, 22, TimeSpan.Zero), call.StartedAt);
        Assert.Equal(0.12, call.AdditionalFields!["cost"].GetProperty("usd").GetDouble());
    }

    [Fact]
    public async Task ListAllAsync_pages_by_number_when_the_server_gives_no_cursor()
    {
        var handler = new ScriptedHandler(
            TimeProvider.System,
            Page("""{"call_id":"c3","status":"ringing","from":"f","to":"+1555","agent_id":1,"direction":"inbound","started_at":"2025-10-09T10:00:03Z","ended_at":null,"duration_sec":null}""", true, 1),
            Page("""{"call_id":"c2","status":"ringing","from":"f","to":"+1555","agent_id":1,"direction":"inbound","started_at":"2025-10-09T10:00:02Z","ended_at":null,"duration_sec":null}""", true, 2),
            Page("""{"call_id":"c1","status":"ringing","from":"f","to":"+1555","agent_id":1,"direction":"inbound","started_at":"2025-10-09T10:00:01Z","ended_at":null,"duration_sec":null}""", false, 3));
        using var client = Client(handler);

        var calls = await client.Calls.ListAllAsync(new CallListOptions { PerPage = 1 }, Cancel).ToListAsync(Cancel);

        Assert.Equal(["c3", "c2", "c1"], calls.Select(c => c.CallId));
        Assert.Equal(["?per_page=1", "?per_page=1&page=2", "?per_page=1&page=3"], handler.Attempts.Select(a => a.Request.RequestUri!.Query));
    }
}
