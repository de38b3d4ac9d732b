using Salpre.Storage.Calls;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage.Tests.Stores;

/// <summary>The outbox on every store: each accepted change writes one event in its own transaction, and the feed reads them in order.</summary>
public abstract class EventOutboxTests<TStore> where TStore : IStoreProvider
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<long> MakeCallAsync(TestStore db, long account = 1)
    {
        var created = (CreateOutcome.Created)await db.Calls.CreateAsync(account, new NewCall("salprebox:A", "+905321234567", 7, 1_760_000_000), null, _ => [], Ct);
        return created.Call.CallNum;
    }

    private static async Task<IReadOnlyList<EventRecord>> FeedAsync(TestStore db, long account = 1, params string[] types)
    {
        await db.SettleAsync();
        return await db.Webhooks.ListEventsAsync(account, EventPosition.Start, types, 1000, Ct);
    }

    [Fact]
    public async Task Every_accepted_change_makes_one_event_with_its_sequence_and_previous_status()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(2);
        var num = await MakeCallAsync(db);
        await db.Calls.RecordEventAsync(1, num, new CallEvent(CallStatus.Ringing, 1_760_000_001, null), null, Ct);
        await db.Calls.RecordEventAsync(1, num, new CallEvent(CallStatus.Ringing, 1_760_000_001, null), null, Ct);     // a repeat
        await db.Calls.RecordEventAsync(1, num, new CallEvent(CallStatus.Initiated, 1_760_000_002, null), null, Ct);   // backwards
        await db.Calls.RecordEventAsync(1, num, new CallEvent(CallStatus.InProgress, 1_760_000_003, null), null, Ct);
        await db.Calls.RecordEventAsync(1, num, new CallEvent(CallStatus.Completed, 1_760_000_060, null), null, Ct);

        var feed = await FeedAsync(db);
        Assert.Equal(["call.initiated", "call.ringing", "call.in_progress", "call.completed"], feed.Select(e => e.Type));
        Assert.Equal(
            [$$"""{"call_id":"c{{num}}","status":0,"previous_status":null,"sequence":1}""",
             $$"""{"call_id":"c{{num}}","status":1,"previous_status":0,"sequence":2}""",
             $$"""{"call_id":"c{{num}}","status":2,"previous_status":1,"sequence":3}""",
             $$"""{"call_id":"c{{num}}","status":3,"previous_status":2,"sequence":4}"""],
            feed.Select(e => e.Data));
        Assert.Equal(feed.OrderBy(e => e.Position).Select(e => e.Position), feed.Select(e => e.Position));
        Assert.Equal(db.Time.GetUtcNow().ToUnixTimeMilliseconds(), feed[0].CreatedAt);
        // No endpoint took them: no delivery to wake the dispatcher for.
        Assert.Equal(0, db.Events.Commits);
        Assert.Empty(await FeedAsync(db, account: 2));
    }

    [Fact]
    public async Task Imports_make_events_only_when_asked_and_only_for_new_calls()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(1);
        static CallDetailsRecord Imported(long number, CallStatus status) => new(new CallRecord(number, status, "salprebox:A", "+905321234567", 2,
            CallDirection.Inbound, 1_760_000_000 + number, status.IsFinal() ? 1_760_000_100 + number : null, status.IsFinal() ? 30 : null), null, null, null);

        await db.Calls.ImportAsync(1, new[] { Imported(1, CallStatus.Completed) }.ToAsyncEnumerable(), Ct);
        Assert.Empty(await FeedAsync(db));

        await db.Calls.ImportAsync(1, new[] { Imported(1, CallStatus.Completed), Imported(2, CallStatus.Busy), Imported(3, CallStatus.Ringing) }.ToAsyncEnumerable(), withEvents: true, Ct);
        var feed = await FeedAsync(db);
        Assert.Equal(["call.busy", "call.ringing"], feed.Select(e => e.Type));
        Assert.All(feed, e => Assert.EndsWith("\"previous_status\":null,\"sequence\":0}", e.Data, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_feed_pages_from_any_position_and_filters_by_type()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(1);
        for (var i = 0; i < 5; i++)
        {
            var num = await MakeCallAsync(db);
            await db.Calls.RecordEventAsync(1, num, new CallEvent(CallStatus.Busy, 1_760_000_001, null), null, Ct);
        }
        var all = await FeedAsync(db);
        Assert.Equal(10, all.Count);

        var walked = new List<EventRecord>();
        var after = EventPosition.Start;
        while (await db.Webhooks.ListEventsAsync(1, after, [], 3, Ct) is { Count: > 0 } page)
        {
            walked.AddRange(page);
            after = page[^1].Position;
        }
        Assert.Equal(all, walked);
        Assert.Equal(5, (await FeedAsync(db, 1, "call.busy")).Count);
        Assert.Equal(10, (await FeedAsync(db, 1, "call.busy", "call.initiated")).Count);
        Assert.Empty(await FeedAsync(db, 1, "call.completed"));
    }

    [Fact]
    public async Task An_event_fans_out_to_the_enabled_endpoints_that_take_its_type()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(2);
        var completedOnly = (await db.Webhooks.CreateEndpointAsync(1, new NewEndpoint("https://a.example/hook", null, EventTypes.BitOf("call.completed"), 4, [1]), 20, Ct))!;
        var every = (await db.Webhooks.CreateEndpointAsync(1, new NewEndpoint("https://b.example/hook", null, EventTypes.CallMask, 4, [2]), 20, Ct))!;
        var disabled = (await db.Webhooks.CreateEndpointAsync(1, new NewEndpoint("https://c.example/hook", null, EventTypes.CallMask, 4, [3]), 20, Ct))!;
        await db.Webhooks.UpdateEndpointAsync(1, disabled.Id, new EndpointChange(null, null, null, false, null), Ct);
        var otherAccount = (await db.Webhooks.CreateEndpointAsync(2, new NewEndpoint("https://d.example/hook", null, EventTypes.CallMask, 4, [4]), 20, Ct))!;

        var num = await MakeCallAsync(db);
        await db.Calls.RecordEventAsync(1, num, new CallEvent(CallStatus.InProgress, 1_760_000_001, null), null, Ct);
        await db.Calls.RecordEventAsync(1, num, new CallEvent(CallStatus.Completed, 1_760_000_002, null), null, Ct);

        async Task<IEnumerable<string>> Types(long account, long endpoint) =>
            (await db.Webhooks.ListDeliveriesAsync(account, endpoint, long.MaxValue, 100, Ct))!.Select(d => d.EventType).Order();
        Assert.Equal(["call.completed"], await Types(1, completedOnly.Id));
        Assert.Equal(["call.completed", "call.in_progress", "call.initiated"], await Types(1, every.Id));
        Assert.Empty(await Types(1, disabled.Id));
        Assert.Empty(await Types(2, otherAccount.Id));
        Assert.Null(await db.Webhooks.ListDeliveriesAsync(2, every.Id, long.MaxValue, 100, Ct));
        // Each of the three writes made deliveries, and told the dispatcher once committed.
        Assert.Equal(3, db.Events.Commits);
    }

    [Fact]
    public async Task Claims_share_the_workers_across_endpoints_each_within_its_max_in_flight_in_queue_order()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(1);
        async Task<long> Endpoint(string name, int maxInFlight) =>
            (await db.Webhooks.CreateEndpointAsync(1, new NewEndpoint($"https://{name}.example/hook", null, EventTypes.CallMask, maxInFlight, [1]), 20, Ct))!.Id;
        var a = await Endpoint("a", 4);
        var b = await Endpoint("b", 1);
        var c = await Endpoint("c", 4);
        for (var i = 0; i < 10; i++)
        {
            await MakeCallAsync(db);
        }
        var lease = TimeSpan.FromMinutes(1);
        Dictionary<long, int> Counts(IEnumerable<ClaimedDelivery> claimed) =>
            new[] { a, b, c }.ToDictionary(e => e, e => claimed.Count(d => d.EndpointId == e));

        var first = await db.Webhooks.ClaimAsync(6, lease, Ct);
        var second = await db.Webhooks.ClaimAsync(64, lease, Ct);
        var full = await db.Webhooks.ClaimAsync(64, lease, Ct);

        Assert.Equal(new Dictionary<long, int> { [a] = 3, [b] = 1, [c] = 2 }, Counts(first));
        Assert.Equal(new Dictionary<long, int> { [a] = 1, [b] = 0, [c] = 2 }, Counts(second));
        Assert.Empty(full);
        // Each endpoint's deliveries leave in the order their events were made.
        foreach (var endpoint in new[] { a, b, c })
        {
            var events = first.Concat(second).Where(d => d.EndpointId == endpoint).Select(d => d.Event.Position.Id).ToList();
            Assert.Equal(events.Order(), events);
        }
    }

    [Fact]
    public async Task Retention_forgets_old_events_with_their_deliveries_and_nothing_newer()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(1);
        var endpoint = (await db.Webhooks.CreateEndpointAsync(1, new NewEndpoint("https://a.example/hook", null, EventTypes.CallMask, 4, [1]), 20, Ct))!;
        await MakeCallAsync(db);
        await MakeCallAsync(db);
        var cut = db.Time.GetUtcNow().AddMilliseconds(1).ToUnixTimeMilliseconds();
        db.Time.Advance(TimeSpan.FromDays(31));
        await MakeCallAsync(db);

        Assert.Equal(1, await db.Webhooks.ForgetEventsAsync(cut, 1, Ct));
        Assert.Equal(1, await db.Webhooks.ForgetEventsAsync(cut, 1000, Ct));
        Assert.Equal(0, await db.Webhooks.ForgetEventsAsync(cut, 1000, Ct));
        Assert.Single(await FeedAsync(db));
        Assert.Single((await db.Webhooks.ListDeliveriesAsync(1, endpoint.Id, long.MaxValue, 100, Ct))!);
    }

    [Fact]
    public async Task Boxes_tell_their_connection_once_each_way_only_when_asked()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(1);
        await db.Devices.AddAsync(1, "BOX-1", "front desk", Ct);
        await db.Devices.RecordHeartbeatAsync(1, "BOX-1", 80, null, Ct);
        Assert.Empty(await FeedAsync(db));
        Assert.Equal(0, await db.Devices.TellDisconnectedAsync(db.Time.GetUtcNow().ToUnixTimeSeconds() + 1, Ct));

        db.Events.DeviceEvents = true;
        await db.Devices.RecordHeartbeatAsync(1, "BOX-1", 80, null, Ct);
        await db.Devices.RecordHeartbeatAsync(1, "BOX-1", 79, null, Ct);
        var lastSeen = db.Time.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(0, await db.Devices.TellDisconnectedAsync(lastSeen, Ct));           // seen at the cut: still connected
        Assert.Equal(1, await db.Devices.TellDisconnectedAsync(lastSeen + 1, Ct));
        Assert.Equal(0, await db.Devices.TellDisconnectedAsync(lastSeen + 1, Ct));
        await db.Devices.RecordHeartbeatAsync(1, "BOX-1", 78, null, Ct);

        var feed = await FeedAsync(db);
        Assert.Equal(["device.connected", "device.disconnected", "device.connected"], feed.Select(e => e.Type));
        Assert.Equal(["""{"serial_no":"BOX-1","connected":true}""", """{"serial_no":"BOX-1","connected":false}""", """{"serial_no":"BOX-1","connected":true}"""],
            feed.Select(e => e.Data));
    }
}
