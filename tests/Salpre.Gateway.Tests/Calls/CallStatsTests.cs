using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Tests.Calls;

/// <summary>
/// GET /call/stats against an independent computation over the calls the test wrote: random calls (some still live),
/// random filters, zones (with 30- and 45-minute offsets and clock changes) and groupings, on whichever store runs.
/// </summary>
public sealed class CallStatsTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    private const string Stats = "/api/gateway/v1/call/stats";

    private static readonly string[] s_zones =
        ["UTC", "Europe/Istanbul", "Europe/Berlin", "America/New_York", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Kathmandu",
         "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns"];

    private static readonly string[] s_dimensions =
        ["hour", "day", "week", "month", "hour_of_day", "weekday", "agent_id", "status", "direction", "from"];

    // Moments that clocks change around (EU and US spring and autumn, Lord Howe's half hour), and a plain one.
    private static readonly long[] s_anchors =
    [
        Instant("2025-03-30T01:00:00Z"), Instant("2025-10-26T01:00:00Z"), Instant("2025-03-09T07:00:00Z"),
        Instant("2025-11-02T06:00:00Z"), Instant("2025-04-05T15:00:00Z"), Instant("2025-06-15T12:00:00Z"),
    ];

    private static readonly Gen<CallDetailsRecord> s_call =
        Gen.Select(Gen.Int[0, s_anchors.Length - 1], Gen.Int[-4 * 86_400, 4 * 86_400], Gen.Int[0, 7], Gen.Int[1, 4], Gen.Int[0, 3], Gen.Int[0, 600],
            (anchor, shift, status, agent, box, talk) =>
            {
                var callStatus = (CallStatus)status;
                var started = s_anchors[anchor] + shift;
                var duration = !callStatus.IsFinal() ? (int?)null : callStatus == CallStatus.Completed ? talk : talk % 3 == 0 ? talk : 0;
                return new CallDetailsRecord(new CallRecord(0, callStatus, $"salprebox:BOX{box % 2}", $"+90532100000{box}", agent,
                    box == 3 ? CallDirection.Inbound : CallDirection.Outbound, started, duration is null ? null : started + duration + 5, duration), null, null, null);
            });

    private sealed record Case(IReadOnlyList<CallDetailsRecord> Calls, string Zone, string[] GroupBy, long From, long Until, int StatusBits, int AgentBits, int Extra)
    {
        public override string ToString() => $"{Calls.Count} calls, tz={Zone}, group_by={string.Join(',', GroupBy)}, [{From}, {Until}), statuses {StatusBits}, agents {AgentBits}, extra {Extra}";
    }

    private static readonly Gen<Case> s_cases =
        Gen.Select(
            s_call.List[1, 120],
            Gen.OneOf<string>(s_zones),
            Gen.Int[0, s_dimensions.Length - 1].Array[0, 2],
            Gen.Select(Gen.Int[0, s_anchors.Length - 1], Gen.Int[-5 * 86_400, 86_400], Gen.OneOf(Gen.Int[1, 9 * 86_400], Gen.Int[30 * 86_400, 120 * 86_400]), (a, b, c) => (a, b, c)),
            Gen.Select(Gen.Int[0, 255], Gen.Int[0, 31], Gen.Int[0, 15], (a, b, c) => (a, b, c)),
            (calls, zone, dimensions, range, filter) =>
            {
                var from = s_anchors[range.a] + range.b;
                // Ranges of up to 9 days, or of 30 to 120 (across blocks of 32 days), without hourly groups, which would
                // make long answers.
                var groupBy = dimensions.Distinct().Select(i => s_dimensions[i]).Where(d => range.c < 10 * 86_400 || d != "hour").ToArray();
                return new Case(calls, zone, groupBy, from, from + range.c, filter.a, filter.b, filter.c);
            });

    [Fact]
    public async Task Every_number_equals_a_walk_over_the_calls_with_the_same_filters()
    {
        await s_cases.SampleAsync(async test =>
        {
            var account = await gateway.CreateAccountAsync();
            var calls = await gateway.SeedAsync(account.Id, test.Calls);
            var (query, matches) = Query(test);

            var answer = await gateway.Client(account.Key).GetWireAsync($"{Stats}?{query}");

            Assert.True(answer.Status == 200, $"{query}: {answer.Body}");
            var zone = TimeZoneInfo.FindSystemTimeZoneById(test.Zone);
            var selected = calls.Where(matches).ToList();
            Assert.Equal(Measures(selected).ToJsonString(), Strip(answer.Json["data"]!["totals"]!).ToJsonString());
            Assert.Equal(Instant(answer.Json["meta"]!["started_after"]!.GetValue<string>()), test.From);
            AssertGroups(test, zone, selected, answer.Json["data"]!["groups"]!.AsArray());
        }, iter: 150, threads: 1);
    }

    /// <summary>Calls every 37 minutes over 70 days: every hour of every day is moved, or not, across local midnights.</summary>
    [Theory]
    [InlineData("Europe/Istanbul", "day")]
    [InlineData("America/New_York", "day")]
    [InlineData("America/Sao_Paulo", "week")]
    [InlineData("Europe/Berlin", "month")]
    [InlineData("Pacific/Chatham", "weekday")]
    [InlineData("UTC", "day,status")]
    [InlineData("Asia/Tokyo", "agent_id")]
    [InlineData("America/New_York", "status")]
    public async Task Long_ranges_read_from_the_coarse_counts_equal_a_walk_too(string zone, string groupBy)
    {
        var account = await gateway.CreateAccountAsync();
        var random = new Random(zone.Length + groupBy.Length);
        var start = Instant("2025-09-01T00:00:00Z");
        var calls = await gateway.SeedAsync(account.Id, [.. Enumerable.Range(0, 70 * 24 * 60 / 37).Select(i => CallData.Call(random, start + i * 37 * 60, 0))]);
        var test = new Case(calls, zone, groupBy.Split(','), start + 7 * 3600 + 123, start + 69 * 86_400 - 5 * 3600, 0, 0, 0);
        var (query, matches) = Query(test);

        var answer = await gateway.Client(account.Key).GetWireAsync($"{Stats}?{query}");

        Assert.True(answer.Status == 200, answer.Body);
        var selected = calls.Where(matches).ToList();
        Assert.Equal(Measures(selected).ToJsonString(), Strip(answer.Json["data"]!["totals"]!).ToJsonString());
        AssertGroups(test, TimeZoneInfo.FindSystemTimeZoneById(zone), selected, answer.Json["data"]!["groups"]!.AsArray());
    }

    /// <summary>Chatham's clocks move at :45 past, so an hour after the change starts at the same nominal instant as one before it.</summary>
    [Theory]
    [InlineData("2025-04-05T11:15:00Z", "2025-04-05T16:15:00Z", "01:00+13:45=0 02:00+13:45=0 03:00+13:45=1 02:00+12:45=1 03:00+12:45=0 04:00+12:45=0")]
    [InlineData("2025-09-27T12:15:00Z", "2025-09-27T16:15:00Z", "01:00+12:45=0 02:00+12:45=1 03:00+13:45=1 04:00+13:45=0 05:00+13:45=0")]
    public async Task Hours_where_a_quarter_hour_offset_changes_are_each_listed_once_in_time_order(string from, string until, string expected)
    {
        var account = await gateway.CreateAccountAsync();
        var random = new Random(7);
        // Just before and just after the change, which is 14:00 UTC on both days.
        var change = Instant(from[..11] + "14:00:00Z");
        await gateway.SeedAsync(account.Id, [CallData.Call(random, change - 60, 1), CallData.Call(random, change + 5 * 60, 2)]);

        var answer = await gateway.Client(account.Key).GetWireAsync($"{Stats}?group_by=hour&tz=Pacific/Chatham&started_after={from}&started_before={until}");

        Assert.True(answer.Status == 200, answer.Body);
        Assert.Equal(expected, string.Join(' ', answer.Json["data"]!["groups"]!.AsArray().Select(g => $"{g!["hour"]!.GetValue<string>()[11..]}={g["calls"]}")));
    }

    [Fact]
    public async Task A_call_made_and_reported_moves_exactly_its_numbers()
    {
        var account = await gateway.CreateAccountAsync(KeyScopes.Read | KeyScopes.Write | KeyScopes.Ingest);
        var serial = await gateway.AddBoxAsync(account.Id);
        var client = gateway.Client(account.Key);
        await gateway.SeedAsync(account.Id, CallData.Generate(30, seed: 5).Select(c => c with { Call = c.Call with { StartedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600 } }).ToList());
        async Task<JsonNode> TotalsAsync() => (await client.GetWireAsync($"{Stats}?group_by=agent_id")).Json["data"]!["totals"]!;
        var before = await TotalsAsync();

        var callId = (await client.MakeCallAsync(serial, agentId: "77")).Json["data"]!["call_id"]!.GetValue<string>();
        var made = await TotalsAsync();
        Assert.Equal(Number(before, "calls") + 1, Number(made, "calls"));
        Assert.Equal(Number(before["by_status"]!, "initiated") + 1, Number(made["by_status"]!, "initiated"));

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var (status, at) in new[] { ("ringing", now), ("in-progress", now + 2), ("completed", now + 42) })
        {
            var reported = await client.PostJsonAsync($"/api/gateway/v1/call/{callId}/events",
                $$"""{"status":"{{status}}","at":"{{Iso(at)}}"}""");
            Assert.Equal(200, reported.Status);
        }
        var ended = await TotalsAsync();
        Assert.Equal(Number(before, "calls") + 1, Number(ended, "calls"));
        Assert.Equal(Number(before["by_status"]!, "initiated"), Number(ended["by_status"]!, "initiated"));
        Assert.Equal(Number(before["by_status"]!, "completed") + 1, Number(ended["by_status"]!, "completed"));
        Assert.Equal(Number(before, "answered") + 1, Number(ended, "answered"));
        Assert.Equal(Number(before, "talk_sec_total") + 40, Number(ended, "talk_sec_total"));
        var byAgent = (await client.GetWireAsync($"{Stats}?group_by=agent_id&agent_id=77")).Json["data"]!["groups"]!.AsArray();
        var agent = Assert.Single(byAgent)!;
        Assert.Equal(77, Number(agent, "agent_id"));
        Assert.Equal(1, Number(agent, "answered"));
    }

    [Fact]
    public async Task The_rollups_never_drift_from_the_calls_whatever_writes_them()
    {
        var account = await gateway.CreateAccountAsync(KeyScopes.Read | KeyScopes.Write | KeyScopes.Ingest);
        var serial = await gateway.AddBoxAsync(account.Id);
        var client = gateway.Client(account.Key);
        var random = new Random(11);
        var live = new List<string>();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        for (var step = 0; step < 120; step++)
        {
            switch (random.Next(4))
            {
                case 0: // an import, with calls still live among them
                    var imported = await gateway.SeedAsync(account.Id, [.. Enumerable.Range(0, random.Next(1, 8)).Select(_ => CallData.Call(random, now - random.Next(90 * 86_400), 0))]);
                    live.AddRange(imported.Where(c => !c.Call.Status.IsFinal() && c.Call.StartedAt <= now).Select(c => $"c{c.Call.CallNum}"));
                    break;
                case 1:
                    var made = await client.MakeCallAsync(serial, agentId: random.Next(1, 5).ToString(CultureInfo.InvariantCulture));
                    if (made.Status == 200) live.Add(made.Json["data"]!["call_id"]!.GetValue<string>());
                    break;
                default: // a report, accepted or refused, on a live call
                    if (live.Count == 0) break;
                    var callId = live[random.Next(live.Count)];
                    var status = ((CallStatus)random.Next(1, 8)).ToWire();
                    await client.PostJsonAsync($"/api/gateway/v1/call/{callId}/events", $$"""{"status":"{{status}}","at":"{{Iso(now + random.Next(60))}}"}""");
                    break;
            }
        }

        Assert.Empty(await RollupDrift.FindAsync(gateway));
    }

    [Theory]
    [InlineData("group_by=day,day")]
    [InlineData("group_by=day,month,week")]
    [InlineData("group_by=year")]
    [InlineData("group_by=")]
    [InlineData("group_by=day&group_by=month")]
    [InlineData("group_by=hour&started_after=2000-01-01&started_before=2026-01-01")]
    public async Task A_grouping_it_cannot_give_is_a_400_naming_group_by(string query)
    {
        var account = await gateway.CreateAccountAsync();
        var answer = await gateway.Client(account.Key).GetWireAsync($"{Stats}?{query}");
        Assert.Equal(400, answer.Status);
        Assert.StartsWith("""{"status":"error","message":"Invalid group_by value","code":"invalid_parameter","param":"group_by",""", answer.Body);
    }

    [Theory]
    [InlineData("status=done", "status")]
    [InlineData("tz=Mars/Olympus", "tz")]
    [InlineData("started_after=yesterday", "started_after")]
    [InlineData("started_after=0001-01-01&tz=Europe/Istanbul", "started_after")]
    public async Task A_filter_is_refused_as_the_list_refuses_it(string query, string name)
    {
        var account = await gateway.CreateAccountAsync();
        var stats = await gateway.Client(account.Key).GetWireAsync($"{Stats}?{query}");
        var list = await gateway.Client(account.Key).GetWireAsync($"/api/gateway/v1/call/list?{query}");
        Assert.Equal(400, stats.Status);
        Assert.Equal(list.BodyWithoutRequestId(), stats.BodyWithoutRequestId());
        Assert.Equal(name, stats.Json["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_bounds_it_covers_the_zones_last_30_days_today_included()
    {
        var account = await gateway.CreateAccountAsync();
        var answer = await gateway.Client(account.Key).GetWireAsync($"{Stats}?group_by=day&tz=Asia/Kathmandu");
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kathmandu");
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone);
        var days = answer.Json["data"]!["groups"]!.AsArray().Select(g => g!["day"]!.GetValue<string>()).ToList();
        Assert.Equal(30, days.Count);
        Assert.Equal(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), days[^1]);
        Assert.Equal("Asia/Kathmandu", answer.Json["meta"]!["tz"]!.GetValue<string>());
    }

    /// <summary>The query string of a case, and the same filter as a predicate.</summary>
    private static (string Query, Func<CallDetailsRecord, bool> Matches) Query(Case test)
    {
        var parts = new List<string> { $"tz={test.Zone}", $"started_after={Iso(test.From)}", $"started_before={Iso(test.Until)}" };
        Func<CallDetailsRecord, bool> matches = c => c.Call.StartedAt >= test.From && c.Call.StartedAt < test.Until;
        if (test.GroupBy.Length > 0) parts.Add("group_by=" + string.Join(',', test.GroupBy));
        var statuses = Enumerable.Range(0, 8).Where(i => (test.StatusBits & (1 << i)) != 0).ToArray();
        if (statuses.Length is > 0 and < 8 && test.StatusBits % 3 == 0)
        {
            parts.Add("status=" + string.Join(',', statuses.Select(i => ((CallStatus)i).ToWire())));
            matches = And(matches, c => statuses.Contains((int)c.Call.Status));
        }
        var agents = Enumerable.Range(1, 4).Where(i => (test.AgentBits & (1 << (i - 1))) != 0).ToArray();
        if (agents.Length > 0 && test.AgentBits % 2 == 0)
        {
            parts.Add("agent_id=" + string.Join(',', agents));
            matches = And(matches, c => agents.Contains((int)c.Call.AgentId));
        }
        switch (test.Extra)
        {
            case 1: parts.Add("direction=inbound"); matches = And(matches, c => c.Call.Direction == CallDirection.Inbound); break;
            case 2: parts.Add("from=salprebox:BOX1"); matches = And(matches, c => c.Call.From == "salprebox:BOX1"); break;
            case 3: parts.Add("min_duration=100"); matches = And(matches, c => c.Call.DurationSec >= 100); break;
            case 4: parts.Add("max_duration=200"); matches = And(matches, c => c.Call.DurationSec <= 200); break;
            case 5: parts.Add("to=%2B905321000002"); matches = And(matches, c => c.Call.To == "+905321000002"); break;
        }
        return (string.Join('&', parts), matches);
    }

    /// <summary>The groups: the occurring ones equal the walk's, time groups are complete and in order, the others by calls.</summary>
    private static void AssertGroups(Case test, TimeZoneInfo zone, List<CallDetailsRecord> selected, JsonArray groups)
    {
        if (test.GroupBy.Length == 0)
        {
            Assert.Empty(groups);
            return;
        }
        var expected = selected.GroupBy(call => string.Join('|', test.GroupBy.Select(d => KeyOf(d, call, zone))))
            .ToDictionary(group => group.Key, group => Measures([.. group]).ToJsonString());
        var actual = groups.Where(g => g!["calls"]!.GetValue<long>() > 0)
            .ToDictionary(g => string.Join('|', test.GroupBy.Select(d => Text(g![d]!))), g => Strip(g!).ToJsonString());
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), actual.OrderBy(p => p.Key, StringComparer.Ordinal));

        // Each dimension's values in order; time dimensions with every value of the range (paired with a call field,
        // with every value of it that occurs, so none when no call does).
        if (selected.Count == 0 && test.GroupBy.Any(d => TimeValues(d, test, zone) is null))
        {
            Assert.Empty(groups);
            return;
        }
        for (var d = 0; d < test.GroupBy.Length; d++)
        {
            var dimension = test.GroupBy[d];
            var values = groups.Select(g => Text(g![dimension]!)).Distinct().ToList();
            if (TimeValues(dimension, test, zone) is { } all)
            {
                Assert.Equal(all, values);
            }
            else if (d == 0)
            {
                var calls = values.Select(v => selected.Count(c => KeyOf(dimension, c, zone) == v)).ToList();
                Assert.Equal(calls.OrderByDescending(n => n), calls);
            }
        }
    }

    /// <summary>Every value of a time dimension over the range, computed by walking it second by second in steps.</summary>
    private static List<string>? TimeValues(string dimension, Case test, TimeZoneInfo zone)
    {
        switch (dimension)
        {
            case "hour_of_day": return [.. Enumerable.Range(0, 24).Select(h => h.ToString(CultureInfo.InvariantCulture))];
            case "weekday": return [.. Enumerable.Range(1, 7).Select(h => h.ToString(CultureInfo.InvariantCulture))];
            case "hour" or "day" or "week" or "month":
                var values = new List<string>();
                for (var t = test.From; t < test.Until; t += 900)
                {
                    var key = KeyOf(dimension, t, zone);
                    if (values.Count == 0 || values[^1] != key) values.Add(key);
                }
                var last = KeyOf(dimension, test.Until - 1, zone);
                if (values[^1] != last) values.Add(last);
                return values;
            default: return null;
        }
    }

    private static string KeyOf(string dimension, CallDetailsRecord call, TimeZoneInfo zone) => dimension switch
    {
        "agent_id" => call.Call.AgentId.ToString(CultureInfo.InvariantCulture),
        "status" => call.Call.Status.ToWire(),
        "direction" => call.Call.Direction.ToWire(),
        "from" => call.Call.From,
        _ => KeyOf(dimension, call.Call.StartedAt, zone),
    };

    private static string KeyOf(string dimension, long instant, TimeZoneInfo zone)
    {
        var utc = DateTimeOffset.FromUnixTimeSeconds(instant);
        var local = TimeZoneInfo.ConvertTime(utc, zone);
        return dimension switch
        {
            "hour" => local.ToString("yyyy-MM-dd'T'HH':00'zzz", CultureInfo.InvariantCulture),
            "day" => local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "week" => $"{ISOWeek.GetYear(local.DateTime):0000}-W{ISOWeek.GetWeekOfYear(local.DateTime):00}",
            "month" => local.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            "hour_of_day" => local.Hour.ToString(CultureInfo.InvariantCulture),
            _ => (((int)local.DayOfWeek + 6) % 7 + 1).ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The measures of some calls, computed here as the contract defines them.</summary>
    private static JsonObject Measures(List<CallDetailsRecord> calls)
    {
        static bool Answered(CallRecord call) => call.Status == CallStatus.InProgress || call.DurationSec > 0;
        var ended = calls.Where(c => c.Call.Status.IsFinal()).ToList();
        var answeredEnded = ended.Count(c => Answered(c.Call));
        long talk = calls.Sum(c => c.Call.DurationSec ?? 0);
        var byStatus = new JsonObject();
        for (var i = 0; i < 8; i++)
        {
            byStatus[((CallStatus)i).ToWire()] = calls.Count(c => (int)c.Call.Status == i);
        }
        return new JsonObject
        {
            ["calls"] = calls.Count,
            ["by_status"] = byStatus,
            ["answered"] = calls.Count(c => Answered(c.Call)),
            ["answer_rate"] = ended.Count == 0 ? null : Math.Round((double)answeredEnded / ended.Count, 4),
            ["talk_sec_total"] = talk,
            ["talk_sec_avg"] = answeredEnded == 0 ? null : Math.Round((double)talk / answeredEnded, 4),
        };
    }

    /// <summary>A group's measures alone, without its keys.</summary>
    private static JsonObject Strip(JsonNode group)
    {
        var measures = new JsonObject();
        foreach (var name in new[] { "calls", "by_status", "answered", "answer_rate", "talk_sec_total", "talk_sec_avg" })
        {
            measures[name] = group[name]?.DeepClone();
        }
        return measures;
    }

    private static Func<CallDetailsRecord, bool> And(Func<CallDetailsRecord, bool> a, Func<CallDetailsRecord, bool> b) => c => a(c) && b(c);

    private static long Number(JsonNode node, string name) => node[name]!.GetValue<long>();

    private static string Text(JsonNode value) => value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();

    private static long Instant(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).ToUnixTimeSeconds();

    private static string Iso(long instant) => DateTimeOffset.FromUnixTimeSeconds(instant).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
