using System.Net;
using Microsoft.Extensions.Time.Testing;
using Salpre.Client.Tests.Infrastructure;

namespace Salpre.Client.Tests;

/// <summary>
/// <see cref="CallsClient.GetStatsAsync"/> on the wire: the query it sends (the list's filters, shared), what it
/// tolerates in an answer, and the same retries as every other method.
/// </summary>
public sealed class CallStatsWireTests
{
    private const string Example = """
        {"status":"success","data":{
          "totals":{"calls":3,"by_status":{"initiated":0,"ringing":0,"in-progress":0,"completed":2,"busy":0,"no-answer":1,"failed":0,"canceled":0},
                    "answered":2,"answer_rate":0.6667,"talk_sec_total":341,"talk_sec_avg":170.5},
          "groups":[
            {"day":"2026-11-01","calls":2,"by_status":{"initiated":0,"ringing":0,"in-progress":0,"completed":1,"busy":0,"no-answer":1,"failed":0,"canceled":0},
             "answered":1,"answer_rate":0.5,"talk_sec_total":162,"talk_sec_avg":162},
            {"day":"2026-11-02","calls":1,"by_status":{"initiated":0,"ringing":0,"in-progress":0,"completed":1,"busy":0,"no-answer":0,"failed":0,"canceled":0},
             "answered":1,"answer_rate":1,"talk_sec_total":179,"talk_sec_avg":179}]},
         "meta":{"started_after":"2026-10-31T21:00:00Z","started_before":"2026-11-02T21:00:00Z","tz":"Europe/Istanbul","group_by":["day"],"ignored_parameters":["colour"]}}
        """;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static SalpreClient Client(ScriptedHandler handler) =>
        handler.CreateClient(new SalpreRetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromSeconds(1) });

    private static Func<HttpRequestMessage, HttpResponseMessage> Ok(string body) => _ => ScriptedHandler.Answer(HttpStatusCode.OK, body);

    [Fact]
    public async Task The_query_has_the_lists_filters_then_tz_and_group_by_and_no_paging()
    {
        // The statistics' answer, then the fallback's empty list page.
        var handler = new ScriptedHandler(_clock, Ok(Example));
        using var client = Client(handler);
        var stats = new CallStatsOptions
        {
            Statuses = [CallStatus.NoAnswer, CallStatus.Completed],
            AgentIds = [3, 5],
            Direction = CallDirection.Inbound,
            To = "+905321234567",
            From = "salprebox:SALPRE_1",
            StartedAfter = new DateTimeOffset(2026, 11, 1, 0, 0, 0, 250, TimeSpan.FromHours(3)),
            StartedBefore = new DateTimeOffset(2026, 11, 3, 0, 0, 0, TimeSpan.FromHours(3)),
            MinDuration = TimeSpan.FromSeconds(9.5),
            MaxDuration = TimeSpan.FromSeconds(60),
            TimeZone = "Europe/Istanbul",
            GroupBy = [CallStatsDimension.HourOfDay, CallStatsDimension.AgentId],
        };

        await client.Calls.GetStatsAsync(stats, Cancel);
        await client.Calls.ListAsync(new CallListOptions(stats) { PerPage = 5, Order = CallOrder.Ascending }, Cancel);

        const string filters = "status=no-answer%2Ccompleted&agent_id=3%2C5&direction=inbound&to=%2B905321234567&from=salprebox%3ASALPRE_1"
                               + "&started_after=2026-10-31T21%3A00%3A01Z&started_before=2026-11-02T21%3A00%3A00Z&min_duration=10&max_duration=60";
        Assert.Equal($"/api/gateway/v1/call/stats?{filters}&tz=Europe%2FIstanbul&group_by=hour_of_day%2Cagent_id", handler.Attempts[0].Request.RequestUri!.PathAndQuery);
        Assert.Equal($"/api/gateway/v1/call/list?per_page=5&{filters}&order=asc", handler.Attempts[1].Request.RequestUri!.PathAndQuery);
    }

    [Fact]
    public async Task Without_options_it_sends_no_query()
    {
        var handler = new ScriptedHandler(_clock, Ok(Example));
        using var client = Client(handler);

        await client.Calls.GetStatsAsync(cancellationToken: Cancel);

        Assert.Equal("/api/gateway/v1/call/stats", handler.Attempts[0].Request.RequestUri!.PathAndQuery);
    }

    [Fact]
    public async Task Reads_the_documented_example()
    {
        using var client = Client(new ScriptedHandler(_clock, Ok(Example)));

        var stats = await client.Calls.GetStatsAsync(cancellationToken: Cancel);

        Assert.Equal((3L, 2L, 0.6667, 341L, 170.5), (stats.Totals.Calls, stats.Totals.Answered, stats.Totals.AnswerRate!.Value, stats.Totals.TalkSecTotal, stats.Totals.TalkSecAvg!.Value));
        Assert.Equal((2L, 1L), (stats.Totals.ByStatus[CallStatus.Completed], stats.Totals.ByStatus[CallStatus.NoAnswer]));
        Assert.Equal([new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 2)], stats.Groups.Select(g => g.Day!.Value));
        Assert.Equal([0.5, 1.0], stats.Groups.Select(g => g.AnswerRate!.Value));
        Assert.Equal(new DateTimeOffset(2026, 10, 31, 21, 0, 0, TimeSpan.Zero), stats.StartedAfter);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 21, 0, 0, TimeSpan.Zero), stats.StartedBefore);
        Assert.Equal(("Europe/Istanbul", CallStatsDimension.Day, "colour"), (stats.TimeZone, Assert.Single(stats.GroupBy), Assert.Single(stats.IgnoredParameters)));
    }

    [Fact]
    public async Task Tolerates_nulls_string_numbers_new_statuses_and_unknown_fields()
    {
        const string body = """
            {"status":"success","data":{
              "totals":{"calls":"4","by_status":{"completed":"1","voicemail":2,"carrier-lost":1},"answered":0,"answer_rate":null,"talk_sec_total":0,"talk_sec_avg":null,"cost":1.5},
              "groups":[{"month":"2026-02","status":"voicemail","agent_id":"7","calls":4,"by_status":{},"answered":0,"answer_rate":null,"talk_sec_total":0,"talk_sec_avg":null,"colour":"red"}]},
             "meta":{"started_after":"2026-02-01T00:00:00+03:00","started_before":"2026-03-01T00:00:00Z","tz":"UTC","group_by":["month","status","agent_id","planet"]}}
            """;
        using var client = Client(new ScriptedHandler(_clock, Ok(body)));

        var stats = await client.Calls.GetStatsAsync(cancellationToken: Cancel);

        Assert.Equal((4L, null, null), (stats.Totals.Calls, stats.Totals.AnswerRate, stats.Totals.TalkSecAvg));
        Assert.Equal(9, stats.Totals.ByStatus.Count);
        Assert.Equal((1L, 3L, 0L), (stats.Totals.ByStatus[CallStatus.Completed], stats.Totals.ByStatus[CallStatus.Unknown], stats.Totals.ByStatus[CallStatus.Busy]));
        var group = Assert.Single(stats.Groups);
        Assert.Equal((new DateOnly(2026, 2, 1), CallStatus.Unknown, 7L), (group.Month!.Value, group.Status!.Value, group.AgentId!.Value));
        Assert.Equal([CallStatsDimension.Month, CallStatsDimension.Status, CallStatsDimension.AgentId], group.Dimensions);
        Assert.Equal(8, group.ByStatus.Count);
        Assert.All(group.ByStatus.Values, count => Assert.Equal(0, count));
        Assert.Equal(new DateTimeOffset(2026, 1, 31, 21, 0, 0, TimeSpan.Zero), stats.StartedAfter);
        Assert.Equal([CallStatsDimension.Month, CallStatsDimension.Status, CallStatsDimension.AgentId], stats.GroupBy);
    }

    [Theory]
    [InlineData("""{"status":"success","data":{"totals":null,"groups":[]},"meta":{"started_after":"2026-02-01T00:00:00Z","started_before":"2026-03-01T00:00:00Z","tz":"UTC","group_by":[]}}""")]
    [InlineData("""{"status":"success","data":{"totals":{"calls":0,"by_status":{},"answered":0,"answer_rate":null,"talk_sec_total":0,"talk_sec_avg":null},"groups":[]}}""")]
    [InlineData("""{"status":"success","data":{"totals":{"calls":0,"by_status":{},"answered":0,"answer_rate":null,"talk_sec_total":0,"talk_sec_avg":null},"groups":[{"day":"1 March","calls":0,"by_status":{},"answered":0,"answer_rate":null,"talk_sec_total":0,"talk_sec_avg":null}]},"meta":{"started_after":"2026-02-01T00:00:00Z","started_before":"2026-03-01T00:00:00Z","tz":"UTC","group_by":["day"]}}""")]
    [InlineData("""{"status":"success","data":{"totals":{"calls":0,"by_status":[],"answered":0,"answer_rate":null,"talk_sec_total":0,"talk_sec_avg":null},"groups":[]},"meta":{"started_after":"2026-02-01T00:00:00Z","started_before":"2026-03-01T00:00:00Z","tz":"UTC","group_by":[]}}""")]
    public async Task An_answer_that_is_not_the_statistics_is_an_invalid_response(string body)
    {
        using var client = Client(new ScriptedHandler(_clock, Ok(body)));

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.GetStatsAsync(cancellationToken: Cancel));

        Assert.Equal((HttpStatusCode.OK, SalpreApiException.InvalidResponseCode), (error.StatusCode, error.Code));
    }

    [Fact]
    public async Task A_503_is_retried_and_a_400_is_not()
    {
        var retried = new ScriptedHandler(_clock, ScriptedHandler.Status(HttpStatusCode.ServiceUnavailable), Ok(Example));
        var refused = new ScriptedHandler(_clock, _ => ScriptedHandler.Answer(HttpStatusCode.BadRequest,
            """{"status":"error","message":"Invalid group_by value","code":"invalid_parameter","param":"group_by","request_id":"r-1"}"""));
        using var first = Client(retried);
        using var second = Client(refused);

        var stats = await _clock.DriveAsync(first.Calls.GetStatsAsync(cancellationToken: Cancel));
        var error = await Assert.ThrowsAsync<SalpreApiException>(() => _clock.DriveAsync(second.Calls.GetStatsAsync(cancellationToken: Cancel)));

        Assert.Equal((2, 3L), (retried.Attempts.Count, stats.Totals.Calls));
        Assert.Single(refused.Attempts);
        Assert.Equal((HttpStatusCode.BadRequest, "Invalid group_by value", "group_by", "r-1"), (error.StatusCode, error.Message, error.Param, error.RequestId));
    }
}
