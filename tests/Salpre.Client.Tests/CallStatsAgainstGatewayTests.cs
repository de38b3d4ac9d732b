using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Salpre.Client.Serialization;
using Stored = Salpre.Storage.Calls;

namespace Salpre.Client.Tests;

/// <summary>
/// <see cref="CallsClient.GetStatsAsync"/> against the real gateway: the typed answer equals the endpoint's raw JSON
/// for the same query, key by key and number by number, and the filters reach the server.
/// </summary>
public sealed class CallStatsAgainstGatewayTests(CallsAgainstGatewayTests.Seeded gateway) : IClassFixture<CallsAgainstGatewayTests.Seeded>
{
    private const string StatsPath = "/api/gateway/v1/call/stats";

    // The seeded calls start on 1 October 2025 and run for about three weeks.
    private static readonly DateTimeOffset s_from = new(2025, 10, 1, 0, 0, 0, TimeSpan.FromHours(3));
    private static readonly DateTimeOffset s_until = new(2025, 10, 15, 0, 0, 0, TimeSpan.FromHours(3));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The endpoint's answer as plain JSON, fetched without the client.</summary>
    private async Task<JsonNode> RawAsync(string query)
    {
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        http.DefaultRequestHeaders.Add("account-secret-key", gateway.Account.Key);
        using var response = await http.GetAsync($"{StatsPath}?{query}", Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!;
    }

    private static string Query(DateTimeOffset from, DateTimeOffset until, string tz, string groupBy) =>
        $"started_after={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}" +
        $"&started_before={Uri.EscapeDataString(until.ToString("O", CultureInfo.InvariantCulture))}" +
        $"&tz={Uri.EscapeDataString(tz)}&group_by={groupBy}";

    public static TheoryData<string, string> Groupings => new()
    {
        { "Europe/Istanbul", "day" },
        { "Europe/Istanbul", "hour" },
        { "America/New_York", "week" },
        { "Asia/Kolkata", "month" },
        { "Asia/Kathmandu", "hour_of_day" },
        { "Europe/Istanbul", "weekday" },
        { "UTC", "agent_id" },
        { "UTC", "status" },
        { "UTC", "direction" },
        { "UTC", "from" },
        { "Europe/Istanbul", "day,status" },
        { "UTC", "from,agent_id" },
        { "Europe/Berlin", "weekday,direction" },
    };

    [Theory]
    [MemberData(nameof(Groupings))]
    public async Task Typed_totals_and_groups_equal_the_raw_answer(string tz, string groupBy)
    {
        using var client = gateway.Client(gateway.Account.Key);
        var dimensions = groupBy.Split(',').Select(name => WireNames.TryParseDimension(name, out var d) ? d : throw new ArgumentException(name)).ToList();

        var stats = await client.Calls.GetStatsAsync(new CallStatsOptions { StartedAfter = s_from, StartedBefore = s_until, TimeZone = tz, GroupBy = dimensions }, Cancel);
        var raw = await RawAsync(Query(s_from, s_until, tz, groupBy));

        AssertMeasures(raw["data"]!["totals"]!, stats.Totals);
        var groups = raw["data"]!["groups"]!.AsArray();
        Assert.NotEmpty(groups);
        Assert.Equal(groups.Count, stats.Groups.Count);
        for (var i = 0; i < groups.Count; i++)
        {
            AssertGroup(groups[i]!, stats.Groups[i], dimensions);
        }
        var meta = raw["meta"]!;
        Assert.Equal(DateTimeOffset.Parse(meta["started_after"]!.GetValue<string>(), CultureInfo.InvariantCulture), stats.StartedAfter);
        Assert.Equal(DateTimeOffset.Parse(meta["started_before"]!.GetValue<string>(), CultureInfo.InvariantCulture), stats.StartedBefore);
        Assert.Equal((s_from, s_until), (stats.StartedAfter, stats.StartedBefore));
        Assert.Equal(tz, stats.TimeZone);
        Assert.Equal(dimensions, stats.GroupBy);
        Assert.Empty(stats.IgnoredParameters);

        // The totals are the seeded calls of the range, counted here without the gateway.
        var (from, until) = (s_from.ToUnixTimeSeconds(), s_until.ToUnixTimeSeconds());
        var expected = gateway.Stored.Where(c => c.Call.StartedAt >= from && c.Call.StartedAt < until).ToList();
        Assert.Equal(expected.Count, stats.Totals.Calls);
        Assert.Equal(expected.Count(c => c.Call.Status == Stored.CallStatus.Completed), stats.Totals.ByStatus[CallStatus.Completed]);
        Assert.Equal(stats.Totals.Calls, stats.Groups.Sum(g => g.Calls));
    }

    [Fact]
    public async Task Groups_written_with_the_client_context_are_the_raw_groups()
    {
        using var client = gateway.Client(gateway.Account.Key);

        var stats = await client.Calls.GetStatsAsync(
            new CallStatsOptions { StartedAfter = s_from, StartedBefore = s_until, TimeZone = "Europe/Istanbul", GroupBy = [CallStatsDimension.Hour, CallStatsDimension.Status] }, Cancel);
        var raw = await RawAsync(Query(s_from, s_until, "Europe/Istanbul", "hour,status"));

        var written = JsonNode.Parse(JsonSerializer.Serialize([.. stats.Groups], SalpreJsonContext.Default.ListCallStatsGroup))!;
        var totals = JsonNode.Parse(JsonSerializer.Serialize(stats.Totals, SalpreJsonContext.Default.CallStatsMeasures))!;
        Assert.True(JsonNode.DeepEquals(raw["data"]!["groups"], written), "The groups differ from the raw answer.");
        Assert.True(JsonNode.DeepEquals(raw["data"]!["totals"], totals), totals.ToJsonString());
    }

    [Fact]
    public async Task A_repeated_hour_keeps_both_offsets()
    {
        using var client = gateway.Client(gateway.Account.Key);
        // Berlin's clocks went back at 03:00 on 26 October 2025: 02:00 to 03:00 came twice, at +02:00 then +01:00.
        var options = new CallStatsOptions
        {
            StartedAfter = new DateTimeOffset(2025, 10, 26, 0, 0, 0, TimeSpan.Zero),
            StartedBefore = new DateTimeOffset(2025, 10, 26, 3, 0, 0, TimeSpan.Zero),
            TimeZone = "Europe/Berlin",
            GroupBy = [CallStatsDimension.Hour],
        };

        var stats = await client.Calls.GetStatsAsync(options, Cancel);

        Assert.Equal(
            ["2025-10-26T02:00:00+02:00", "2025-10-26T02:00:00+01:00", "2025-10-26T03:00:00+01:00"],
            stats.Groups.Select(g => g.Hour!.Value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)));
        Assert.Equal(["2025-10-26T02:00+02:00", "2025-10-26T02:00+01:00", "2025-10-26T03:00+01:00"], stats.Groups.Select(g => g.KeyText(CallStatsDimension.Hour)));
    }

    [Fact]
    public async Task Filters_reach_the_server()
    {
        using var client = gateway.Client(gateway.Account.Key);
        var box = gateway.Stored[0].Call.From;
        var filtered = new CallStatsOptions
        {
            Statuses = [CallStatus.Completed, CallStatus.Busy],
            AgentIds = [2, 4],
            Direction = CallDirection.Outbound,
            From = box,
            StartedAfter = s_from.AddMilliseconds(500),
            StartedBefore = s_until,
            MaxDuration = TimeSpan.FromSeconds(600),
            GroupBy = [CallStatsDimension.Status],
        };

        var all = await client.Calls.GetStatsAsync(new CallStatsOptions { StartedAfter = s_from, StartedBefore = s_until }, Cancel);
        var stats = await client.Calls.GetStatsAsync(filtered, Cancel);
        var listed = await client.Calls.ListAllAsync(new CallListOptions(filtered) { PerPage = 100 }, Cancel).ToListAsync(Cancel);

        var (from, until) = (s_from.ToUnixTimeSeconds() + 1, s_until.ToUnixTimeSeconds());
        var expected = gateway.Stored
            .Where(c => c.Call.Status is Stored.CallStatus.Completed or Stored.CallStatus.Busy)
            .Where(c => c.Call.AgentId is 2 or 4 && c.Call.Direction == Stored.CallDirection.Outbound && c.Call.From == box)
            .Where(c => c.Call.StartedAt >= from && c.Call.StartedAt < until && c.Call.DurationSec <= 600)
            .ToList();
        Assert.NotEmpty(expected);
        Assert.True(all.Totals.Calls > stats.Totals.Calls);
        Assert.Equal(expected.Count, stats.Totals.Calls);
        Assert.Equal(listed.Count, stats.Totals.Calls);
        Assert.Equal(
            new Dictionary<CallStatus, long>
            {
                [CallStatus.Initiated] = 0, [CallStatus.Ringing] = 0, [CallStatus.InProgress] = 0,
                [CallStatus.Completed] = expected.Count(c => c.Call.Status == Stored.CallStatus.Completed),
                [CallStatus.Busy] = expected.Count(c => c.Call.Status == Stored.CallStatus.Busy),
                [CallStatus.NoAnswer] = 0, [CallStatus.Failed] = 0, [CallStatus.Canceled] = 0,
            },
            stats.Totals.ByStatus);
        Assert.Equal([CallStatus.Completed, CallStatus.Busy], stats.Groups.Select(g => g.Status!.Value).Order());
        Assert.Equal(expected.Sum(c => (long)(c.Call.DurationSec ?? 0)), stats.Totals.TalkSecTotal);
        Assert.Equal(s_from.AddSeconds(1), stats.StartedAfter);
    }

    [Fact]
    public async Task Without_bounds_it_counts_the_last_30_days_in_the_zone()
    {
        using var client = gateway.Client(gateway.Account.Key);

        var stats = await client.Calls.GetStatsAsync(new CallStatsOptions { TimeZone = "Asia/Kolkata" }, Cancel);

        Assert.Equal(TimeSpan.FromDays(30), stats.StartedBefore - stats.StartedAfter);
        Assert.Equal(TimeSpan.FromHours(5.5), TimeZoneInfo.ConvertTime(stats.StartedAfter, TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata")).Offset);
        Assert.Equal(TimeSpan.Zero, TimeZoneInfo.ConvertTime(stats.StartedAfter, TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata")).TimeOfDay);
        Assert.Equal(("Asia/Kolkata", 0), (stats.TimeZone, stats.GroupBy.Count));
        Assert.Empty(stats.Groups);
    }

    public static TheoryData<CallStatsDimension[], string?, string> Refused => new()
    {
        { [CallStatsDimension.Day, CallStatsDimension.Status, CallStatsDimension.AgentId], null, "group_by" },
        { [CallStatsDimension.Day, CallStatsDimension.Day], null, "group_by" },
        { [CallStatsDimension.Day], "Mars/Olympus_Mons", "tz" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_refused_query_is_a_SalpreApiException_naming_the_parameter(CallStatsDimension[] groupBy, string? tz, string param)
    {
        using var client = gateway.Client(gateway.Account.Key);

        var error = await Assert.ThrowsAsync<SalpreApiException>(() =>
            client.Calls.GetStatsAsync(new CallStatsOptions { StartedAfter = s_from, StartedBefore = s_until, GroupBy = groupBy, TimeZone = tz }, Cancel));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_parameter", param), (error.StatusCode, error.Code, error.Param));
        Assert.Equal($"Invalid {param} value", error.Message);
        Assert.NotNull(error.RequestId);
    }

    [Fact]
    public async Task More_than_50000_groups_is_refused_on_group_by()
    {
        using var client = gateway.Client(gateway.Account.Key);
        var options = new CallStatsOptions
        {
            StartedAfter = new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.Zero),
            StartedBefore = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
            GroupBy = [CallStatsDimension.Hour],
        };

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.GetStatsAsync(options, Cancel));
        var fewer = await client.Calls.GetStatsAsync(options with { GroupBy = [CallStatsDimension.Month] }, Cancel);

        Assert.Equal((HttpStatusCode.BadRequest, "group_by"), (error.StatusCode, error.Param));
        Assert.Equal(120, fewer.Groups.Count);
    }

    private static void AssertMeasures(JsonNode raw, CallStatsMeasures typed)
    {
        Assert.Equal(raw["calls"]!.GetValue<long>(), typed.Calls);
        Assert.Equal(raw["answered"]!.GetValue<long>(), typed.Answered);
        Assert.Equal(raw["talk_sec_total"]!.GetValue<long>(), typed.TalkSecTotal);
        Assert.Equal(raw["answer_rate"]?.GetValue<double>(), typed.AnswerRate);
        Assert.Equal(raw["talk_sec_avg"]?.GetValue<double>(), typed.TalkSecAvg);
        var byStatus = raw["by_status"]!.AsObject();
        Assert.Equal(8, byStatus.Count);
        Assert.Equal(
            byStatus.Select(pair => (pair.Key, pair.Value!.GetValue<long>())),
            typed.ByStatus.Select(pair => (pair.Key.ToWire(), pair.Value)));
    }

    /// <summary>Each key read from the raw text here, independently of the client's converter.</summary>
    private static void AssertGroup(JsonNode raw, CallStatsGroup typed, List<CallStatsDimension> dimensions)
    {
        AssertMeasures(raw, typed);
        Assert.Equal(dimensions, typed.Dimensions);
        Assert.Equal(dimensions.Select(d => d.ToWire()), raw.AsObject().Select(pair => pair.Key).Take(dimensions.Count));
        string Text(string name) => raw[name]!.GetValue<string>();
        long Number(string name) => raw[name]!.GetValue<long>();
        foreach (var dimension in dimensions)
        {
            switch (dimension)
            {
                case CallStatsDimension.Hour:
                    var hour = DateTimeOffset.ParseExact(Text("hour"), "yyyy-MM-dd'T'HH:mmzzz", CultureInfo.InvariantCulture);
                    Assert.Equal((hour, hour.Offset), (typed.Hour!.Value, typed.Hour.Value.Offset));
                    break;
                case CallStatsDimension.Day:
                    Assert.Equal(DateOnly.ParseExact(Text("day"), "yyyy-MM-dd", CultureInfo.InvariantCulture), typed.Day);
                    break;
                case CallStatsDimension.Week:
                    Assert.Matches(@"^\d{4}-W\d{2}$", typed.Week);
                    Assert.Equal(Text("week"), typed.Week);
                    break;
                case CallStatsDimension.Month:
                    var month = Text("month").Split('-');
                    Assert.Equal(new DateOnly(int.Parse(month[0], CultureInfo.InvariantCulture), int.Parse(month[1], CultureInfo.InvariantCulture), 1), typed.Month);
                    break;
                case CallStatsDimension.HourOfDay:
                    Assert.Equal((int)Number("hour_of_day"), typed.HourOfDay);
                    break;
                case CallStatsDimension.Weekday:
                    Assert.Equal((int)Number("weekday"), typed.Weekday);
                    break;
                case CallStatsDimension.AgentId:
                    Assert.Equal(Number("agent_id"), typed.AgentId);
                    break;
                case CallStatsDimension.Status:
                    Assert.NotEqual(CallStatus.Unknown, typed.Status);
                    Assert.Equal(Text("status"), typed.Status!.Value.ToWire());
                    break;
                case CallStatsDimension.Direction:
                    Assert.NotEqual(CallDirection.Unknown, typed.Direction);
                    Assert.Equal(Text("direction"), typed.Direction!.Value.ToWire());
                    break;
                case CallStatsDimension.From:
                    Assert.Equal(Text("from"), typed.From);
                    break;
            }
            Assert.Equal(raw[dimension.ToWire()]!.ToString(), typed.KeyText(dimension));
        }
        // The other dimensions' properties stay empty.
        foreach (var other in Enum.GetValues<CallStatsDimension>().Except(dimensions))
        {
            Assert.Null(typed.KeyText(other));
        }
    }
}
