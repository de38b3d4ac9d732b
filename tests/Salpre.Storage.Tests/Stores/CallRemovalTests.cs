using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Removal;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage.Tests.Stores;

/// <summary>Deleting, erasing and retention on every store: a removed call leaves nothing behind, and the statistics follow.</summary>
public abstract class CallRemovalTests<TStore> where TStore : IStoreProvider
{
    private const string Person = "+905551112233";
    private const long Day = 86_400;
    private const long Now = 1_767_225_600; // 2026-01-01, the test clock's start

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CallDetailsRecord Imported(long number, long startedAt, long? endedAt, string to = "+905321234567", string from = "salprebox:A") =>
        new(new CallRecord(number, endedAt is null ? CallStatus.InProgress : CallStatus.Completed, from, to, 3, CallDirection.Outbound, startedAt,
            endedAt, endedAt is null ? null : (int)(endedAt - startedAt)), $"https://records.example/{number}.mp3", $"transcript of {number}", """{"lead":"x"}""");

    private static async IAsyncEnumerable<CallDetailsRecord> Stream(params CallDetailsRecord[] calls)
    {
        foreach (var call in calls)
        {
            await Task.Yield();
            yield return call;
        }
    }

    private static Task<long> CountAsync(TestStore db, string table, long account = 1) =>
        db.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE account_id = {account}");

    private static Task<long> RollupCallsAsync(TestStore db, long account = 1) =>
        db.ScalarAsync<long>($"SELECT coalesce(sum(calls), 0) FROM call_stats_hours WHERE account_id = {account}");

    /// <summary>A call placed with an idempotency key, answered and completed with a transcript, told to a webhook endpoint.</summary>
    private static async Task<long> PlacedCallAsync(TestStore db, string to, long account = 1)
    {
        var claim = new IdempotencyClaim("key-" + to, [1, 2, 3], 0);
        var created = (CreateOutcome.Created)await db.Calls.CreateAsync(account, new NewCall("salprebox:A", to, 7, Now - 600), claim, _ => [9], Ct);
        var num = created.Call.CallNum;
        await db.Calls.RecordEventAsync(account, num, new CallEvent(CallStatus.InProgress, Now - 590, null), null, Ct);
        await db.Calls.RecordEventAsync(account, num, new CallEvent(CallStatus.Completed, Now - 500, null), new CallOutcome("https://r/1.mp3", "hello " + to, null), Ct);
        return num;
    }

    [Fact]
    public async Task A_deleted_call_leaves_nothing_behind_but_its_call_deleted_event()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(2);
        await db.Webhooks.CreateEndpointAsync(1, new NewEndpoint("https://hooks.example/", null, EventTypes.CallMask, 5, [1]), 10, Ct);
        var num = await PlacedCallAsync(db, Person);
        var kept = await PlacedCallAsync(db, "+905320000000");
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM webhook_deliveries") >= 6);

        Assert.False(await db.Removal.DeleteAsync(2, num, Ct)); // another account's call
        Assert.True(await db.Removal.DeleteAsync(1, num, Ct));

        Assert.Null(await db.Calls.GetAsync(1, num, Ct));
        Assert.Null(await db.Calls.ListEventsAsync(1, num, Ct));
        Assert.Null(await db.Calls.FindIdempotentAsync(1, new IdempotencyClaim("key-" + Person, [1, 2, 3], 0), Ct));
        Assert.NotNull(await db.Calls.GetAsync(1, kept, Ct));
        await db.SettleAsync();
        var feed = await db.Webhooks.ListEventsAsync(1, EventPosition.Start, [], 100, Ct);
        Assert.DoesNotContain(feed, e => e.Data.Contains($"\"c{num}\"", StringComparison.Ordinal) && e.Type != EventTypes.CallDeleted);
        var deleted = Assert.Single(feed, e => e.Type == EventTypes.CallDeleted);
        Assert.Equal($$"""{"call_id":"c{{num}}"}""", deleted.Data);
        // The deleted call's three events went with their deliveries; the new event has one of its own.
        Assert.Equal(4, await db.ScalarAsync<long>("SELECT count(*) FROM webhook_deliveries"));
        Assert.Equal(1, await RollupCallsAsync(db));
        Assert.Equal(1, await CountAsync(db, "call_details"));
        Assert.Equal(1, await CountAsync(db, "idempotency_keys"));

        Assert.False(await db.Removal.DeleteAsync(1, num, Ct));
    }

    [Fact]
    public async Task An_erasure_deletes_every_call_of_the_number_on_either_side_in_that_account_alone()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(2);
        await db.Calls.ImportAsync(1, Stream(
            Imported(1, Now - 5000, Now - 4900, to: Person),
            Imported(2, Now - 4000, Now - 3900, to: Person),
            Imported(3, Now - 3000, Now - 2900, from: Person, to: "+905320000000"),
            Imported(4, Now - 2000, Now - 1900),
            Imported(5, Now - 1000, null, to: "+905550000000")), Ct);
        await db.Calls.ImportAsync(2, Stream(Imported(6, Now - 5000, Now - 4900, to: Person)), Ct);

        Assert.Equal(3, await db.Removal.EraseAsync(1, Person, Ct));

        Assert.Equal([5, 4], (await db.Calls.ListAsync(1, new CallQuery(CallFilter.None, false, null, 0, 10), Ct)).Select(c => c.CallNum));
        Assert.Equal(2, await RollupCallsAsync(db));
        Assert.Equal(2, await CountAsync(db, "call_details"));
        Assert.NotNull(await db.Calls.GetAsync(2, 6, Ct));
        Assert.Equal(0, await db.Removal.EraseAsync(1, Person, Ct));
    }

    [Fact]
    public async Task Retention_clears_details_of_calls_that_ended_before_the_cutoff_once_and_leaves_the_calls()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(2);
        await db.Calls.ImportAsync(1, Stream(
            Imported(1, Now - 40 * Day, Now - 40 * Day + 60),
            Imported(2, Now - 35 * Day, Now - 35 * Day + 60),
            Imported(3, Now - 31 * Day, Now - 29 * Day),          // started before the cutoff, ended after it
            Imported(4, Now - 32 * Day, null),                   // never ended: its start counts
            Imported(5, Now - 10 * Day, Now - 10 * Day + 60)), Ct);
        await db.Calls.ImportAsync(2, Stream(Imported(6, Now - 50 * Day, Now - 50 * Day + 60)), Ct);
        var cutoff = Now - 30 * Day;

        var counts = await db.Removal.ApplyRetentionAsync(RetentionRule.Details, cutoff, batchSize: 2, Ct);

        Assert.Equal([new RetentionCount(1, 3), new RetentionCount(2, 1)], counts);
        Assert.Equal(["1:-", "2:-", "3:transcript of 3", "4:-", "5:transcript of 5"],
            await Task.WhenAll(new long[] { 1, 2, 3, 4, 5 }.Select(async n => $"{n}:{(await db.Calls.GetAsync(1, n, Ct))!.Transcript ?? "-"}")));
        Assert.Equal(5, await RollupCallsAsync(db));

        // Again at the same cutoff: nothing is done twice. Two days later, the call that ended after the first cutoff is due.
        Assert.Empty((await db.Removal.ApplyRetentionAsync(RetentionRule.Details, cutoff, 2, Ct))!);
        Assert.Equal([new RetentionCount(1, 1)], await db.Removal.ApplyRetentionAsync(RetentionRule.Details, cutoff + 2 * Day, 2, Ct));
        Assert.Null((await db.Calls.GetAsync(1, 3, Ct))!.Transcript);
    }

    [Fact]
    public async Task Retention_of_calls_deletes_whole_calls_without_events_and_the_statistics_follow()
    {
        await using var db = await (await TStore.CreateAsync()).WithAccountsAsync(1);
        await db.Calls.ImportAsync(1, Stream(
            Imported(1, Now - 100 * Day, Now - 100 * Day + 60),
            Imported(2, Now - 95 * Day, Now - 95 * Day + 60),
            Imported(3, Now - 91 * Day, Now - 91 * Day + 60),
            Imported(4, Now - 10 * Day, Now - 10 * Day + 60)), withEvents: true, Ct);

        Assert.Equal([new RetentionCount(1, 3)], await db.Removal.ApplyRetentionAsync(RetentionRule.Calls, Now - 90 * Day, batchSize: 2, Ct));

        Assert.Equal([4], (await db.Calls.ListAsync(1, new CallQuery(CallFilter.None, false, null, 0, 10), Ct)).Select(c => c.CallNum));
        Assert.Equal(1, await RollupCallsAsync(db));
        Assert.Equal(1, await CountAsync(db, "call_details"));
        await db.SettleAsync();
        var feed = await db.Webhooks.ListEventsAsync(1, EventPosition.Start, [], 100, Ct);
        Assert.Equal(["call.completed"], feed.Select(e => e.Type));
    }
}
