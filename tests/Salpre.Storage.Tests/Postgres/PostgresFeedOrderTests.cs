using Npgsql;
using Salpre.Storage.Calls;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage.Tests.Postgres;

/// <summary>
/// PostgreSQL hands out ids before commit, so a later id can commit first. The feed shows an event only once no
/// transaction still running can add one before it: a reader that follows it never skips an event.
/// </summary>
public sealed class PostgresFeedOrderTests
{
    [Fact]
    public async Task An_event_committed_behind_a_running_transaction_waits_for_it_and_none_is_skipped()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = (PostgresTestStore)await (await PostgresTestStore.CreateAsync()).WithAccountsAsync(1);
        await db.Calls.CreateAsync(1, new NewCall("salprebox:A", "+905321234567", 7, 1_760_000_000), null, _ => [], ct);
        await db.SettleAsync();
        var seen = await db.Webhooks.ListEventsAsync(1, EventPosition.Start, [], 100, ct);
        Assert.Single(seen);

        // A writer that has taken its id and not committed yet...
        await using var slow = new NpgsqlConnection(db.ConnectionString);
        await slow.OpenAsync(ct);
        await using var transaction = await slow.BeginTransactionAsync(ct);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO events (tx, account_id, type, created_at, data) VALUES ((pg_current_xact_id()::text)::bigint, 1, 'call.ringing', 0, '{}')", slow, transaction))
        {
            await insert.ExecuteNonQueryAsync(ct);
        }
        // ...and one that commits after it: the reader must not move past the slow writer's place.
        await db.Calls.CreateAsync(1, new NewCall("salprebox:A", "+905321234567", 7, 1_760_000_001), null, _ => [], ct);
        Assert.Empty(await db.Webhooks.ListEventsAsync(1, seen[^1].Position, [], 100, ct));

        await transaction.CommitAsync(ct);
        // Transaction ids are the cluster's: a transaction of another test's database may hold the horizon a moment.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<EventRecord> after;
        while ((after = await db.Webhooks.ListEventsAsync(1, seen[^1].Position, [], 100, ct)).Count < 2 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50, ct);
        }
        Assert.Equal(["call.ringing", "call.initiated"], after.Select(e => e.Type));
    }
}
