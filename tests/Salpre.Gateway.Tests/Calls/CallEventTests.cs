using System.Globalization;
using CsCheck;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Calls;

/// <summary>POST /call/{id}/events and GET /call/{id}/logs: the lifecycle, against an independent model.</summary>
public sealed class CallEventTests(CallEventTests.Gateway gateway) : IClassFixture<CallEventTests.Gateway>
{
    public sealed class Gateway : GatewayFactory
    {
        public Gateway()
        {
            With("MakeCall:CallsPerSecond", "100000");
            With("MakeCall:Burst", "100000");
        }
    }

    private sealed record Parties(TestAccount Account, HttpClient Writer, HttpClient Box, string Serial);

    private async Task<Parties> PartiesAsync()
    {
        var account = await gateway.CreateAccountAsync();
        var (_, ingest) = await gateway.CreateKeyAsync(account.Id, KeyScopes.Ingest);
        var serial = await gateway.AddBoxAsync(account.Id);
        return new Parties(account, gateway.Client(account.Key), gateway.Client(ingest), serial);
    }

    private static async Task<(string CallId, long StartedAt)> StartCallAsync(Parties parties)
    {
        var made = await parties.Writer.MakeCallAsync(parties.Serial);
        var callId = made.Json["data"]!["call_id"]!.GetValue<string>();
        var details = await parties.Writer.GetWireAsync($"/api/gateway/v1/call/{callId}");
        return (callId, DateTimeOffset.Parse(details.Json["data"]!["started_at"]!.GetValue<string>(), CultureInfo.InvariantCulture).ToUnixTimeSeconds());
    }

    private static string Time(long seconds) =>
        DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Task<WireResponse> ReportAsync(HttpClient box, string callId, string status, long at, string? detail = null, string extra = "") =>
        box.PostJsonAsync($"/api/gateway/v1/call/{callId}/events",
            $$"""{"status":"{{status}}","at":"{{Time(at)}}","detail":{{(detail is null ? "null" : $"\"{detail}\"")}}{{extra}}}""");

    [Fact]
    public async Task A_call_talked_through_ends_with_its_talk_time_and_outcome()
    {
        var parties = await PartiesAsync();
        var (callId, started) = await StartCallAsync(parties);

        var ringing = await ReportAsync(parties.Box, callId, "ringing", started + 2, "dialing");
        var answered = await ReportAsync(parties.Box, callId, "in-progress", started + 7);
        var completed = await ReportAsync(parties.Box, callId, "completed", started + 169, "hung up",
            ""","audio_record_url":"https://recordings.example.com/x.mp3","transcript":"Agent: Hi\nCustomer: Hello","variables":{"outcome":"confirmed"}""");
        var details = await parties.Writer.GetWireAsync($"/api/gateway/v1/call/{callId}");
        var logs = await parties.Writer.GetWireAsync($"/api/gateway/v1/call/{callId}/logs");
        var listed = await parties.Writer.GetWireAsync("/api/gateway/v1/call/list?per_page=1");

        Assert.Equal(200, ringing.Status);
        Assert.Equal("ringing", ringing.Json["data"]!["status"]!.GetValue<string>());
        Assert.Equal(200, answered.Status);
        Assert.Equal(200, completed.Status);
        var data = details.Json["data"]!;
        Assert.Equal("completed", data["status"]!.GetValue<string>());
        Assert.Equal(Time(started + 169), data["ended_at"]!.GetValue<string>());
        Assert.Equal(162, data["duration_sec"]!.GetValue<int>());
        Assert.Equal("https://recordings.example.com/x.mp3", data["audio_record_url"]!.GetValue<string>());
        Assert.Equal("Agent: Hi\nCustomer: Hello", data["transcript"]!.GetValue<string>());
        Assert.Equal("confirmed", data["variables"]!["outcome"]!.GetValue<string>());
        Assert.Equal(
            $$"""{"status":"success","data":[{"at":"{{Time(started)}}","status":"initiated","detail":null},{"at":"{{Time(started + 2)}}","status":"ringing","detail":"dialing"},{"at":"{{Time(started + 7)}}","status":"in-progress","detail":null},{"at":"{{Time(started + 169)}}","status":"completed","detail":"hung up"}]}""",
            logs.Body);
        Assert.Equal("completed", listed.Data[0]!["status"]!.GetValue<string>()); // the page cache saw the change at once
    }

    [Theory]
    [InlineData("busy")]
    [InlineData("no-answer")]
    [InlineData("failed")]
    [InlineData("canceled")]
    public async Task A_call_never_answered_ends_with_zero_seconds(string ending)
    {
        var parties = await PartiesAsync();
        var (callId, started) = await StartCallAsync(parties);

        await ReportAsync(parties.Box, callId, "ringing", started + 1);
        var end = await ReportAsync(parties.Box, callId, ending, started + 31);

        Assert.Equal(200, end.Status);
        Assert.Equal(0, end.Json["data"]!["duration_sec"]!.GetValue<int>());
        Assert.Equal(Time(started + 31), end.Json["data"]!["ended_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Backwards_post_final_and_out_of_time_reports_answer_409_and_change_nothing()
    {
        var parties = await PartiesAsync();
        var (callId, started) = await StartCallAsync(parties);
        await ReportAsync(parties.Box, callId, "in-progress", started + 5);

        var backwards = await ReportAsync(parties.Box, callId, "ringing", started + 6);
        var earlier = await ReportAsync(parties.Box, callId, "completed", started + 4);
        var busyAfterAnswer = await ReportAsync(parties.Box, callId, "busy", started + 6);
        await ReportAsync(parties.Box, callId, "completed", started + 60);
        var afterFinal = await ReportAsync(parties.Box, callId, "failed", started + 61);
        var logs = await parties.Writer.GetWireAsync($"/api/gateway/v1/call/{callId}/logs");

        Assert.All([backwards, earlier, busyAfterAnswer, afterFinal], response =>
        {
            Assert.Equal(409, response.Status);
            Assert.Equal("conflict", response.Json["code"]!.GetValue<string>());
        });
        Assert.Equal("Conflict. The call is in-progress and cannot take this ringing report", backwards.Json["message"]!.GetValue<string>());
        Assert.Equal(["initiated", "in-progress", "completed"], logs.Data.Select(e => e!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_same_report_again_is_acknowledged_once_and_a_different_one_for_that_status_refused()
    {
        var parties = await PartiesAsync();
        var (callId, started) = await StartCallAsync(parties);

        var first = await ReportAsync(parties.Box, callId, "ringing", started + 1, "dialing");
        var repeat = await ReportAsync(parties.Box, callId, "ringing", started + 1, "dialing");
        var changed = await ReportAsync(parties.Box, callId, "ringing", started + 2, "dialing");
        var logs = await parties.Writer.GetWireAsync($"/api/gateway/v1/call/{callId}/logs");

        Assert.Equal(200, first.Status);
        Assert.Equal(first.Body, repeat.Body);
        Assert.Equal(409, changed.Status);
        Assert.Equal(2, logs.Data.Count);
    }

    [Theory]
    [InlineData("""{"status":"initiated"}""", "status")]
    [InlineData("""{"status":"done"}""", "status")]
    [InlineData("""{"at":"2025-10-01T10:00:00Z"}""", "status")]
    [InlineData("""{"status":"ringing","at":"yesterday"}""", "at")]
    [InlineData("""{"status":"ringing","at":"2025-10-01T10:00:00"}""", "at")]
    [InlineData("""{"status":"ringing","at":"2999-01-01T00:00:00Z"}""", "at")]
    [InlineData("""{"status":"ringing","transcript":"too early"}""", "transcript")]
    [InlineData("""{"status":"ringing","variables":{"a":1}}""", "variables")]
    [InlineData("""{"status":"completed","variables":[1,2]}""", "variables")]
    [InlineData("""{"status":"completed","audio_record_url":"ftp://x/y"}""", "audio_record_url")]
    public async Task Refuses_an_invalid_report_by_field(string body, string field)
    {
        var parties = await PartiesAsync();
        var (callId, _) = await StartCallAsync(parties);

        var response = await parties.Box.PostJsonAsync($"/api/gateway/v1/call/{callId}/events", body);

        Assert.Equal(400, response.Status);
        Assert.Equal($"Invalid {field} value", response.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reports_need_the_ingest_scope_and_logs_the_read_scope_and_other_accounts_calls_do_not_exist()
    {
        var parties = await PartiesAsync();
        var stranger = await PartiesAsync();
        var (callId, started) = await StartCallAsync(parties);

        var withWriteKey = await ReportAsync(parties.Writer, callId, "ringing", started + 1);
        var logsWithIngest = await parties.Box.GetWireAsync($"/api/gateway/v1/call/{callId}/logs");
        var foreignReport = await ReportAsync(stranger.Box, callId, "ringing", started + 1);
        var foreignLogs = await stranger.Writer.GetWireAsync($"/api/gateway/v1/call/{callId}/logs");
        var unknownLogs = await stranger.Writer.GetWireAsync("/api/gateway/v1/call/c999999999/logs");

        Assert.Equal(403, withWriteKey.Status);
        Assert.Equal(403, logsWithIngest.Status);
        Assert.Equal(404, foreignReport.Status);
        Assert.Equal(unknownLogs.BodyWithoutRequestId(), foreignLogs.BodyWithoutRequestId());
        Assert.StartsWith("""{"status":"error","message":"Call not found. Please check the call ID.",""", foreignLogs.Body);
    }

    [Fact]
    public async Task An_imported_call_shows_its_known_start_and_end_as_its_log()
    {
        var account = await gateway.CreateAccountAsync();
        var started = 1_760_000_000L;
        await gateway.SeedAsync(account.Id, [new(new(424242, Storage.Calls.CallStatus.Busy, "salprebox:X", "+905321234567", 1, Storage.Calls.CallDirection.Outbound, started, started + 4, 0), null, null, null)]);

        var logs = await gateway.Client(account.Key).GetWireAsync("/api/gateway/v1/call/c424242/logs");

        Assert.Equal(
            $$"""{"status":"success","data":[{"at":"{{Time(started)}}","status":"initiated","detail":"imported"},{"at":"{{Time(started + 4)}}","status":"busy","detail":"imported"}]}""",
            logs.Body);
    }

    [Fact]
    public async Task Concurrent_reports_for_one_call_leave_it_in_a_legal_state_that_its_log_explains()
    {
        var parties = await PartiesAsync();
        for (var round = 0; round < 10; round++)
        {
            var (callId, started) = await StartCallAsync(parties);
            var reports = new[] { ("ringing", 1L), ("in-progress", 5L), ("completed", 60L), ("no-answer", 30L) }
                .SelectMany(r => Enumerable.Repeat(r, 4))
                .Select(r => ReportAsync(parties.Box, callId, r.Item1, started + r.Item2));
            var answers = await Task.WhenAll(reports);

            Assert.All(answers, a => Assert.True(a.Status is 200 or 409, a.Body));
            var logs = (await parties.Writer.GetWireAsync($"/api/gateway/v1/call/{callId}/logs")).Data
                .Select(e => (Status: e!["status"]!.GetValue<string>(), At: e["at"]!.GetValue<string>())).ToList();
            var call = (await parties.Writer.GetWireAsync($"/api/gateway/v1/call/{callId}")).Json["data"]!;
            LifecycleModel.AssertLegalPath(logs.Select(e => e.Status).ToList());
            Assert.Equal(logs[^1].Status, call["status"]!.GetValue<string>());
            Assert.Equal(logs.Count, logs.Select(e => e.Status).Distinct().Count());
        }
    }

    /// <summary>Any sequence of reports, with repeats, out of order in status and time: the gateway answers as the model does, and list, details and logs agree with it.</summary>
    [Fact]
    public async Task Any_sequence_of_reports_follows_the_model()
    {
        var parties = await PartiesAsync();
        var reports = Gen.Select(Gen.OneOf<string>(LifecycleModel.Reportable), Gen.Int[0, 40], Gen.OneOf<string?>(null, "a", "b"))
            .Array[1, 8];

        await reports.SampleAsync(async sequence =>
        {
            var (callId, started) = await StartCallAsync(parties);
            var model = new LifecycleModel(started);
            foreach (var (status, offset, detail) in sequence)
            {
                var expected = model.Apply(status, started + offset, detail);
                var answer = await ReportAsync(parties.Box, callId, status, started + offset, detail);
                Assert.True(expected == answer.Status, $"{status}@+{offset} ({detail}) after {string.Join(",", model.Statuses)}: expected {expected}, got {answer.Status} {answer.Body}");
            }

            var details = (await parties.Writer.GetWireAsync($"/api/gateway/v1/call/{callId}")).Json["data"]!;
            var listed = (await parties.Writer.GetWireAsync($"/api/gateway/v1/call/list?per_page=1")).Data[0]!;
            var logs = (await parties.Writer.GetWireAsync($"/api/gateway/v1/call/{callId}/logs")).Data;
            Assert.Equal(model.Status, details["status"]!.GetValue<string>());
            Assert.Equal(model.EndedAt is { } ended ? Time(ended) : null, details["ended_at"]?.GetValue<string>());
            Assert.Equal(model.Duration, details["duration_sec"]?.GetValue<int>());
            Assert.Equal(callId, listed["call_id"]!.GetValue<string>());
            foreach (var field in new[] { "status", "ended_at", "duration_sec", "started_at" })
            {
                Assert.Equal(details[field]?.ToJsonString(), listed[field]?.ToJsonString());
            }
            Assert.Equal(model.Events.Select(e => (e.Status, Time(e.At), e.Detail)),
                logs.Select(e => (e!["status"]!.GetValue<string>(), e["at"]!.GetValue<string>(), e["detail"]?.GetValue<string>())));
        }, iter: 120, threads: 1, seed: "0001GtEAx1hY"); // one at a time: each sample reads "the newest call" of the account
    }
}

/// <summary>The lifecycle as the contract states it, written apart from the gateway's own code.</summary>
internal sealed class LifecycleModel(long startedAt)
{
    public static readonly string[] Reportable = ["ringing", "in-progress", "completed", "busy", "no-answer", "failed", "canceled"];

    private static readonly Dictionary<string, string[]> s_next = new()
    {
        ["initiated"] = ["ringing", "in-progress", "busy", "no-answer", "failed", "canceled"],
        ["ringing"] = ["in-progress", "busy", "no-answer", "failed", "canceled"],
        ["in-progress"] = ["completed", "failed", "canceled"],
    };

    public List<(string Status, long At, string? Detail)> Events { get; } = [("initiated", startedAt, null)];
    public string Status => Events[^1].Status;
    public IEnumerable<string> Statuses => Events.Select(e => e.Status);
    public long? EndedAt { get; private set; }
    public int? Duration { get; private set; }

    /// <summary>Applies a report; returns the HTTP status the gateway must answer.</summary>
    public int Apply(string status, long at, string? detail)
    {
        if (Events.FirstOrDefault(e => e.Status == status) is { Status: not null } same)
        {
            return same.At == at && same.Detail == detail ? 200 : 409;
        }
        if (!s_next.TryGetValue(Status, out var next) || !next.Contains(status) || Events.Any(e => e.At > at))
        {
            return 409;
        }
        Events.Add((status, at, detail));
        if (status is "completed" or "busy" or "no-answer" or "failed" or "canceled")
        {
            EndedAt = at;
            var answered = Events.FirstOrDefault(e => e.Status == "in-progress");
            Duration = answered.Status is null ? 0 : (int)(at - answered.At);
        }
        return 200;
    }

    public static void AssertLegalPath(IReadOnlyList<string> statuses)
    {
        Assert.Equal("initiated", statuses[0]);
        for (var i = 1; i < statuses.Count; i++)
        {
            Assert.True(s_next.TryGetValue(statuses[i - 1], out var next) && next.Contains(statuses[i]), string.Join(" → ", statuses));
        }
    }
}
