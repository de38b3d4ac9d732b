using System.Text.Json;
using Salpre.Client;
using Salpre.Client.Tests.Infrastructure;

namespace Salpre.Cli.Tests;

/// <summary><c>salpre events list|tail</c> end to end against the real gateway, with events made by real calls and reports.</summary>
public sealed class EventCommandTests(GatewayServer gateway) : IClassFixture<GatewayServer>
{
    [Fact]
    public async Task List_as_ndjson_is_the_feed_as_sent_a_line_an_event()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        await maker.CallAsync("ringing", "in-progress", "completed");

        var result = await SalpreRun.RunAsync(SalpreRun.For(gateway, maker.Account.Key), ["events", "list", "--format", "ndjson"]);

        Assert.Equal((ExitCodes.Success, ""), (result.ExitCode, result.Error));
        Assert.Equal((await maker.FeedAsync()).Select(e => e.RawJson), result.OutLines);
        Assert.Equal(EventTypes.CallCompleted, SalpreEvent.Parse(result.OutLines[^1]).Type);
    }

    [Fact]
    public async Task List_filters_by_type_pages_by_cursor_and_starts_after_an_id()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        var feed = await maker.ThreeEndingsAsync();
        var variables = SalpreRun.For(gateway, maker.Account.Key);

        var ended = await SalpreRun.RunAsync(variables, ["events", "list", "--types", "call.busy,call.completed", "--type", "call.no_answer", "--format", "json"]);
        var first = await SalpreRun.RunAsync(variables, ["events", "list", "--per-page", "2"]);
        var cursor = first.Error.Split("--cursor ")[1].Trim();
        var second = await SalpreRun.RunAsync(variables, ["events", "list", "--per-page", "2", "--cursor", cursor, "--format", "ndjson"]);
        var after = await SalpreRun.RunAsync(variables, ["events", "list", "--after", feed[^2].Id, "--format", "ndjson"]);

        using var json = JsonDocument.Parse(ended.Out);
        Assert.Equal(["call.busy", "call.completed", "call.no_answer"], json.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.False(json.RootElement.GetProperty("meta").GetProperty("has_next").GetBoolean());
        Assert.All(feed.Take(2), e => Assert.Contains(e.Id, first.Out, StringComparison.Ordinal));
        Assert.DoesNotContain(feed[2].Id, first.Out, StringComparison.Ordinal);
        Assert.StartsWith("2 events. Next page: --cursor ", first.Error, StringComparison.Ordinal);
        Assert.Equal(feed.Skip(2).Take(2).Select(e => e.RawJson), second.OutLines);
        Assert.Equal([feed[^1].RawJson!], after.OutLines);
    }

    [Fact]
    public async Task List_as_a_table_shows_what_each_event_is_about()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        var callId = await maker.CallAsync("ringing");

        var result = await SalpreRun.RunAsync(SalpreRun.For(gateway, maker.Account.Key), ["events", "list"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var rows = result.OutLines.Where(line => line.Contains("evt_", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Matches($@"│ call\.initiated\s+│ {callId}\s+│ initiated\s+│\s+│ 1\s+│", rows[0]);
        Assert.Matches($@"│ call\.ringing\s+│ {callId}\s+│ ringing\s+│ initiated\s+│ 2\s+│", rows[1]);
        Assert.Equal("2 events.", result.Error.Trim());
    }

    [Fact]
    public async Task Bad_types_are_a_usage_error_before_any_request_and_a_bad_after_is_the_APIs_400()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        var variables = SalpreRun.For(gateway, maker.Account.Key);

        var type = await SalpreRun.RunAsync(variables, ["events", "list", "--types", "call.no-answer"]);
        var after = await SalpreRun.RunAsync(variables, ["events", "tail", "--after", "evt_nope"]);

        Assert.Equal(ExitCodes.Usage, type.ExitCode);
        Assert.Contains("'call.no-answer' is not valid (one of call.initiated, ", type.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, after.ExitCode);
        Assert.Contains("param after", after.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_prints_the_last_events_then_each_new_one_and_Ctrl_C_stops_it_cleanly()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        for (var i = 0; i < 4; i++)
        {
            await maker.CallAsync("busy");
        }
        var before = await maker.FeedAsync();
        await using var tail = RunningCli.Start(SalpreRun.For(gateway, maker.Account.Key), "events", "tail", "--last", "3", "--format", "ndjson", "--interval", "0.05");
        await tail.WaitForAsync(run => run.Error.Contains("Following", StringComparison.Ordinal), "that it follows");

        var callId = await maker.CallAsync("ringing", "in-progress", "completed");
        await tail.WaitForLinesAsync(3 + 4);
        var result = await tail.StopAsync();

        var after = await maker.FeedAsync();
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(after.Skip(before.Count - 3).Select(e => e.RawJson), result.OutLines);
        Assert.All(result.OutLines.Skip(3), line => Assert.Equal(callId, SalpreEvent.Parse(line).Call!.CallId));
        Assert.Contains($"Following the feed after {before[^1].Id}", result.Error, StringComparison.Ordinal);
        Assert.EndsWith($"Stopped after 4 new events. Resume with --after {after[^1].Id}", result.Error.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_as_a_table_after_an_id_with_a_type_filter()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        await maker.CallAsync("busy");
        var first = (await maker.FeedAsync())[0].Id;
        await using var tail = RunningCli.Start(
            SalpreRun.For(gateway, maker.Account.Key), "events", "tail", "--after", first, "--types", "call.busy,call.completed", "--interval", "0.05");

        await tail.WaitForLinesAsync(2);
        var callId = await maker.CallAsync("ringing", "in-progress", "completed");
        await tail.WaitForLinesAsync(3);
        var result = await tail.StopAsync();

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(["timestamp", "id", "type", "subject", "status", "previous", "sequence"], result.OutLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var busy = result.OutLines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var completed = result.OutLines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["call.busy", "busy", "initiated", "2"], busy[2..3].Concat(busy[4..]));
        Assert.Equal(["call.completed", callId, "completed", "in-progress", "4"], completed[2..]);
        Assert.Equal(3, result.OutLines.Count);
    }
}
