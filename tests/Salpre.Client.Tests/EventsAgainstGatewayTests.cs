using System.Net;
using System.Text.Json;
using Salpre.Client.Tests.Infrastructure;

namespace Salpre.Client.Tests;

/// <summary><c>client.Events</c> against the real gateway over HTTP on 127.0.0.1: events made by real calls and reports.</summary>
public sealed class EventsAgainstGatewayTests(GatewayServer gateway) : IClassFixture<GatewayServer>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The feed's events read over raw HTTP, page by page: each event's text as sent.</summary>
    private async Task<List<JsonElement>> RawFeedAsync(string key, string query = "")
    {
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        http.DefaultRequestHeaders.Add("account-secret-key", key);
        var events = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var url = "/api/gateway/v1/events?per_page=100" + query + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var page = JsonDocument.Parse(await http.GetStringAsync(url, Cancel));
            events.AddRange(page.RootElement.GetProperty("data").EnumerateArray().Select(e => e.Clone()));
            cursor = page.RootElement.GetProperty("meta").GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        return events;
    }

    [Fact]
    public async Task ListAsync_reads_a_page_of_typed_events_with_their_text_as_sent()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        var callId = await maker.CallAsync("ringing", "in-progress", "completed");

        var first = await maker.Client.Events.ListAsync(new EventListOptions { PerPage = 3 }, Cancel);
        var second = await maker.Client.Events.ListAsync(new EventListOptions { Cursor = first.NextCursor }, Cancel);

        var raw = await RawFeedAsync(maker.Account.Key);
        var events = first.Items.Concat(second.Items).ToList();
        Assert.Equal((3, true, false), (first.Items.Count, first.HasNext, second.HasNext));
        Assert.NotNull(first.NextCursor);
        Assert.Null(second.NextCursor);
        Assert.Equal([EventTypes.CallInitiated, EventTypes.CallRinging, EventTypes.CallInProgress, EventTypes.CallCompleted], events.Select(e => e.Type));
        Assert.Equal(raw.Select(e => e.GetProperty("id").GetString()), events.Select(e => e.Id));
        Assert.Equal(raw.Select(e => e.GetRawText()), events.Select(e => e.RawJson));
        Assert.All(events, e => Assert.Equal(callId, e.Call!.CallId));
        Assert.Equal([CallStatus.Initiated, CallStatus.Ringing, CallStatus.InProgress, CallStatus.Completed], events.Select(e => e.Call!.Status));
        Assert.Equal([null, CallStatus.Initiated, CallStatus.Ringing, CallStatus.InProgress], events.Select(e => e.Call!.PreviousStatus));
        Assert.Equal([1, 2, 3, 4], events.Select(e => e.Call!.Sequence));
        Assert.Equal(raw.Select(e => DateTimeOffset.Parse(e.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture)), events.Select(e => e.Timestamp));
        Assert.All(events, e => Assert.Null(e.Device));
        var completed = events[^1].Call!;
        Assert.Equal(("+905321234567", 5L, CallDirection.Outbound), (completed.To, completed.AgentId, completed.Direction));
        Assert.NotNull(completed.EndedAt);
        Assert.Empty(first.IgnoredParameters);
    }

    [Fact]
    public async Task ListAllAsync_walks_the_whole_feed_as_a_raw_walk_of_its_pages_does()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        for (var i = 0; i < 12; i++)
        {
            await maker.CallAsync(i % 3 == 0 ? ["busy"] : ["ringing", "in-progress", "completed"]);
        }

        var all = await maker.Client.Events.ListAllAsync(new EventListOptions { PerPage = 7 }, Cancel).ToListAsync(Cancel);

        var raw = await RawFeedAsync(maker.Account.Key);
        Assert.Equal(12 + 4 * 1 + 8 * 3, all.Count);
        Assert.Equal(raw.Select(e => e.GetProperty("id").GetString()), all.Select(e => e.Id));
        Assert.Equal(all.Select(e => e.Id).Order(StringComparer.Ordinal), all.Select(e => e.Id));
    }

    [Fact]
    public async Task NewestFirst_walks_the_feed_back_from_the_newest_event_and_cannot_be_followed()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        for (var i = 0; i < 4; i++)
        {
            await maker.CallAsync("ringing", "in-progress", "completed");
        }

        var oldestFirst = await maker.Client.Events.ListAllAsync(new EventListOptions { PerPage = 5 }, Cancel).ToListAsync(Cancel);
        var newestFirst = await maker.Client.Events.ListAllAsync(new EventListOptions { PerPage = 5, NewestFirst = true }, Cancel).ToListAsync(Cancel);
        var newestCompleted = await maker.Client.Events.ListAsync(
            new EventListOptions { PerPage = 1, NewestFirst = true, Types = [EventTypes.CallCompleted] }, Cancel);

        Assert.Equal(16, oldestFirst.Count);
        Assert.Equal(oldestFirst.Select(e => e.Id).Reverse(), newestFirst.Select(e => e.Id));
        Assert.Equal(oldestFirst[^1].Id, newestCompleted.Items.Single().Id);
        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await maker.Client.Events.FollowAsync(new EventListOptions { NewestFirst = true }, cancellationToken: Cancel).FirstAsync(Cancel));
    }

    [Fact]
    public async Task Types_and_after_filter_the_feed()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        var everything = await maker.ThreeEndingsAsync();

        var ended = await maker.Client.Events.ListAllAsync(
            new EventListOptions { Types = [EventTypes.CallCompleted, EventTypes.CallNoAnswer, EventTypes.CallBusy], PerPage = 1 }, Cancel).ToListAsync(Cancel);
        var afterSecond = await maker.Client.Events.ListAllAsync(new EventListOptions { After = everything[1].Id }, Cancel).ToListAsync(Cancel);
        var initiatedAfterSecond = await maker.Client.Events.ListAllAsync(
            new EventListOptions { After = everything[1].Id, Types = [EventTypes.CallInitiated] }, Cancel).ToListAsync(Cancel);

        Assert.Equal([EventTypes.CallBusy, EventTypes.CallCompleted, EventTypes.CallNoAnswer], ended.Select(e => e.Type));
        Assert.Equal(everything.Skip(2).Select(e => e.Id), afterSecond.Select(e => e.Id));
        Assert.Equal(everything.Skip(2).Where(e => e.Type == EventTypes.CallInitiated).Select(e => e.Id), initiatedAfterSecond.Select(e => e.Id));
        Assert.Equal(2, initiatedAfterSecond.Count);
    }

    [Fact]
    public async Task FollowAsync_yields_each_new_event_as_it_comes_and_ends_when_cancelled()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        await maker.CallAsync("busy");
        var last = (await maker.FeedAsync())[^1].Id;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var seen = new List<SalpreEvent>();
        var follow = Task.Run(async () =>
        {
            await foreach (var item in maker.Client.Events.FollowAsync(new EventListOptions { After = last, Types = [EventTypes.CallInitiated, EventTypes.CallCompleted] }, TimeSpan.FromMilliseconds(50), stop.Token))
            {
                lock (seen)
                {
                    seen.Add(item);
                }
            }
        }, Cancel);

        // Caught up first (nothing after the last event), then the new call's events arrive while it polls.
        await Task.Delay(300, Cancel);
        Assert.Empty(seen);
        var callId = await maker.CallAsync("ringing", "in-progress", "completed");
        await WaitAsync(() => seen.Count >= 2);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow);
        Assert.Equal([EventTypes.CallInitiated, EventTypes.CallCompleted], seen.Select(e => e.Type));
        Assert.All(seen, e => Assert.Equal(callId, e.Call!.CallId));
    }

    [Fact]
    public async Task A_bad_after_is_the_APIs_400_naming_it()
    {
        using var maker = await EventMaker.CreateAsync(gateway);

        var failure = await Assert.ThrowsAsync<SalpreApiException>(() => maker.Client.Events.ListAsync(new EventListOptions { After = "evt_nope" }, Cancel));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_parameter", "after"), (failure.StatusCode, failure.Code, failure.Param));
    }

    [Fact]
    public async Task Another_accounts_events_are_never_listed()
    {
        using var mine = await EventMaker.CreateAsync(gateway);
        using var theirs = await EventMaker.CreateAsync(gateway);
        await mine.CallAsync("busy");
        await theirs.CallAsync("busy");

        var listed = await mine.FeedAsync();

        Assert.Equal(2, listed.Count);
        Assert.All(listed, e => Assert.Equal($"salprebox:{mine.Serial}", e.Call!.From));
    }

    internal static async Task WaitAsync(Func<bool> done, string what = "the expected events")
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Did not see {what} in time.");
            }
            await Task.Delay(20, Cancel);
        }
    }
}
