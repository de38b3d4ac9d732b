using Microsoft.Extensions.DependencyInjection;
using Salpre.Gateway.Events;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Events;

/// <summary>GET /events over HTTP: one event per accepted change, in the shape the issue gives, paged like the list.</summary>
public sealed class EventsFeedTests(EventsFeedTests.Gateway gateway) : IClassFixture<EventsFeedTests.Gateway>
{
    private const string Feed = "/api/gateway/v1/events";

    public sealed class Gateway : GatewayFactory
    {
        public Gateway()
        {
            With("MakeCall:CallsPerSecond", "100000");
            With("MakeCall:Burst", "100000");
        }
    }

    private sealed record Parties(TestAccount Account, HttpClient Reader, HttpClient Box, string Serial);

    private async Task<Parties> PartiesAsync()
    {
        var account = await gateway.CreateAccountAsync();
        var (_, ingest) = await gateway.CreateKeyAsync(account.Id, KeyScopes.Ingest);
        return new Parties(account, gateway.Client(account.Key), gateway.Client(ingest), await gateway.AddBoxAsync(account.Id));
    }

    /// <summary>A call made and carried through ringing and in-progress to completed (a repeat and a conflict on the way).</summary>
    private async Task<string> TalkThroughAsync(Parties parties)
    {
        var callId = (await parties.Reader.MakeCallAsync(parties.Serial)).Json["data"]!["call_id"]!.GetValue<string>();
        foreach (var status in new[] { "ringing", "ringing", "in-progress", "ringing", "completed" })
        {
            await parties.Box.PostJsonAsync($"/api/gateway/v1/call/{callId}/events", $$"""{"status":"{{status}}"}""");
        }
        await gateway.SettleEventsAsync();
        return callId;
    }

    [Fact]
    public async Task Each_accepted_change_is_one_event_whose_data_is_the_listed_call_with_its_previous_status_and_sequence()
    {
        var parties = await PartiesAsync();
        var callId = await TalkThroughAsync(parties);

        var feed = await parties.Reader.GetWireAsync(Feed + "?per_page=100");
        var listed = (await parties.Reader.GetWireAsync("/api/gateway/v1/call/list?per_page=1")).Data[0]!.AsObject();

        Assert.Equal(200, feed.Status);
        Assert.True(WireExtensions.IsEnvelope(feed.Body));
        Assert.Equal(["call.initiated", "call.ringing", "call.in_progress", "call.completed"], feed.Data.Select(e => e!["type"]!.GetValue<string>()));
        Assert.All(feed.Data, e => Assert.Equal(["id", "type", "timestamp", "data"], WireResponse.FieldOrder(e!)));
        Assert.All(feed.Data, e => Assert.Matches("^evt_[0-9A-Z]{26}$", e!["id"]!.GetValue<string>()));
        Assert.All(feed.Data, e => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", e!["timestamp"]!.GetValue<string>()));
        Assert.Equal([null, "initiated", "ringing", "in-progress"], feed.Data.Select(e => e!["data"]!["previous_status"]?.GetValue<string>()));
        Assert.Equal([1, 2, 3, 4], feed.Data.Select(e => e!["data"]!["sequence"]!.GetValue<int>()));
        Assert.Equal(["initiated", "ringing", "in-progress", "completed"], feed.Data.Select(e => e!["data"]!["status"]!.GetValue<string>()));

        var last = feed.Data[^1]!["data"]!.AsObject();
        Assert.Equal([.. WireResponse.FieldOrder(listed), "previous_status", "sequence"], WireResponse.FieldOrder(last));
        foreach (var (name, value) in listed)
        {
            Assert.Equal(value?.ToJsonString(), last[name]?.ToJsonString());
        }
        Assert.Equal(callId, last["call_id"]!.GetValue<string>());
        Assert.False(feed.Meta["has_next"]!.GetValue<bool>());
        Assert.Null(feed.Meta["next_cursor"]);
    }

    [Fact]
    public async Task The_feed_pages_by_cursor_or_event_id_in_order_and_filters_by_type()
    {
        var parties = await PartiesAsync();
        for (var i = 0; i < 3; i++)
        {
            await TalkThroughAsync(parties);
        }
        var all = (await parties.Reader.GetWireAsync(Feed + "?per_page=100")).Data.Select(e => e!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(12, all.Count);
        Assert.Equal(all.Order(StringComparer.Ordinal), all);

        var walked = new List<string>();
        var page = await parties.Reader.GetWireAsync(Feed + "?per_page=5");
        while (true)
        {
            walked.AddRange(page.Data.Select(e => e!["id"]!.GetValue<string>()));
            if (page.Meta["next_cursor"]?.GetValue<string>() is not { } cursor)
            {
                break;
            }
            Assert.True(page.Meta["has_next"]!.GetValue<bool>());
            page = await parties.Reader.GetWireAsync($"{Feed}?cursor={cursor}");
        }
        Assert.Equal(all, walked);

        var afterFourth = await parties.Reader.GetWireAsync($"{Feed}?after={all[3]}&per_page=100");
        Assert.Equal(all.Skip(4), afterFourth.Data.Select(e => e!["id"]!.GetValue<string>()));

        var completed = await parties.Reader.GetWireAsync($"{Feed}?type=call.completed,call.initiated&per_page=2");
        Assert.Equal(["call.initiated", "call.completed"], completed.Data.Select(e => e!["type"]!.GetValue<string>()));
        var rest = await parties.Reader.GetWireAsync($"{Feed}?cursor={completed.Meta["next_cursor"]!.GetValue<string>()}&per_page=100");
        Assert.Equal(4, rest.Data.Count);
        Assert.All(rest.Data, e => Assert.Contains(e!["type"]!.GetValue<string>(), new[] { "call.initiated", "call.completed" }));
    }

    [Fact]
    public async Task Newest_first_pages_back_through_the_same_events_and_its_cursor_keeps_the_order()
    {
        var parties = await PartiesAsync();
        for (var i = 0; i < 3; i++)
        {
            await TalkThroughAsync(parties);
        }
        var all = (await parties.Reader.GetWireAsync(Feed + "?per_page=100")).Data.Select(e => e!["id"]!.GetValue<string>()).ToList();

        var walked = new List<string>();
        var page = await parties.Reader.GetWireAsync(Feed + "?order=desc&per_page=5");
        while (true)
        {
            walked.AddRange(page.Data.Select(e => e!["id"]!.GetValue<string>()));
            if (page.Meta["next_cursor"]?.GetValue<string>() is not { } cursor)
            {
                break;
            }
            page = await parties.Reader.GetWireAsync($"{Feed}?cursor={cursor}");
        }
        var newestCompleted = await parties.Reader.GetWireAsync(Feed + "?order=desc&type=call.completed&per_page=1");
        var cursorOfDesc = newestCompleted.Meta["next_cursor"]!.GetValue<string>();
        var otherOrder = await parties.Reader.GetWireAsync($"{Feed}?cursor={cursorOfDesc}&order=asc");
        var sameOrder = await parties.Reader.GetWireAsync($"{Feed}?cursor={cursorOfDesc}&order=desc&per_page=100");
        var backwardsAfter = await parties.Reader.GetWireAsync($"{Feed}?order=desc&after={all[3]}");

        Assert.Equal(12, all.Count);
        Assert.Equal(Enumerable.Reverse(all), walked);
        Assert.Equal(all[^1], newestCompleted.Data.Single()!["id"]!.GetValue<string>());
        Assert.Equal(400, otherOrder.Status);
        Assert.Equal("cursor", otherOrder.Json["param"]!.GetValue<string>());
        Assert.Equal([all[7], all[3]], sameOrder.Data.Select(e => e!["id"]!.GetValue<string>()));
        Assert.Equal(400, backwardsAfter.Status);
        Assert.Equal("after", backwardsAfter.Json["param"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("per_page=0", "per_page")]
    [InlineData("per_page=101", "per_page")]
    [InlineData("per_page=1&per_page=2", "per_page")]
    [InlineData("type=call.in-progress", "type")]
    [InlineData("type=webhook.test", "type")]
    [InlineData("after=evt_123", "after")]
    [InlineData("after=c12", "after")]
    [InlineData("cursor=AQAKAgAAAAAAAAB", "cursor")]
    [InlineData("cursor=", "cursor")]
    [InlineData("order=newest", "order")]
    [InlineData("order=DESC", "order")]
    public async Task Bad_parameters_answer_400_naming_them(string query, string parameter)
    {
        var parties = await PartiesAsync();
        var answer = await parties.Reader.GetWireAsync($"{Feed}?{query}");
        Assert.Equal(400, answer.Status);
        Assert.Equal($"Invalid {parameter} value", answer.Json["message"]!.GetValue<string>());
        Assert.Equal("invalid_parameter", answer.Json["code"]!.GetValue<string>());
        Assert.Equal(parameter, answer.Json["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_cursor_keeps_its_filter_and_works_for_its_account_only()
    {
        var parties = await PartiesAsync();
        await TalkThroughAsync(parties);
        var cursor = (await parties.Reader.GetWireAsync($"{Feed}?type=call.ringing,call.completed&per_page=1")).Meta["next_cursor"]!.GetValue<string>();

        var changedFilter = await parties.Reader.GetWireAsync($"{Feed}?cursor={cursor}&type=call.ringing");
        var withAfter = await parties.Reader.GetWireAsync($"{Feed}?cursor={cursor}&after=evt_00000000000000000000000001");
        var other = await PartiesAsync();
        var foreign = await other.Reader.GetWireAsync($"{Feed}?cursor={cursor}");
        var listCursor = (await parties.Reader.GetWireAsync("/api/gateway/v1/call/list?per_page=1")).Meta["next_cursor"];

        Assert.Equal(400, changedFilter.Status);
        Assert.Equal(400, withAfter.Status);
        Assert.Equal(400, foreign.Status);
        Assert.Equal("Invalid cursor value", foreign.Json["message"]!.GetValue<string>());
        Assert.Null(listCursor); // one call: the list has no second page (its cursors are checked apart)
        Assert.Empty((await other.Reader.GetWireAsync(Feed)).Data);
    }

    [Fact]
    public async Task The_feed_needs_the_read_scope_and_names_unknown_parameters()
    {
        var parties = await PartiesAsync();
        var (_, ingestOnly) = await gateway.CreateKeyAsync(parties.Account.Id, KeyScopes.Ingest);
        var forbidden = await gateway.Client(ingestOnly).GetWireAsync(Feed);
        var anonymous = await gateway.Client().GetWireAsync(Feed);
        var typo = await parties.Reader.GetWireAsync($"{Feed}?tpye=call.completed");

        Assert.Equal(403, forbidden.Status);
        Assert.Equal(401, anonymous.Status);
        Assert.Equal(["tpye"], typo.Meta["ignored_parameters"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task Events_past_the_retention_are_forgotten_and_newer_ones_kept()
    {
        await using var shortMemory = new GatewayFactory().With("Events:Retention", "00:00:02");
        await shortMemory.InitializeAsync();
        var account = await shortMemory.CreateAccountAsync();
        var reader = shortMemory.Client(account.Key);
        var serial = await shortMemory.AddBoxAsync(account.Id);
        await reader.MakeCallAsync(serial);
        await reader.MakeCallAsync(serial);
        await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
        var young = (await reader.MakeCallAsync(serial)).Json["data"]!["call_id"]!.GetValue<string>();

        await shortMemory.SettleEventsAsync();
        var forgotten = await shortMemory.Services.GetRequiredService<EventJanitor>().ForgetExpiredAsync(TestContext.Current.CancellationToken);
        var feed = await reader.GetWireAsync(Feed);

        Assert.Equal(2, forgotten);
        Assert.Equal([young], feed.Data.Select(e => e!["data"]!["call_id"]!.GetValue<string>()));
    }
}
