using Npgsql;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Removal;
using Salpre.Storage.Postgres;

namespace Salpre.Storage.Tests.Postgres;

/// <summary>Several nodes on one database: one applies retention at a time, and no call is counted twice.</summary>
public sealed class PostgresRetentionTurnTests
{
    private const long Start = 1_700_000_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<PostgresTestStore> StoreWithOldCallsAsync(int count)
    {
        var db = await PostgresTestStore.CreateAsync();
        await db.WithAccountsAsync(1);
        await db.Calls.ImportAsync(1, Calls(count), Ct);
        return db;
    }

    private static async IAsyncEnumerable<CallDetailsRecord> Calls(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await Task.Yield();
            yield return new CallDetailsRecord(
                new CallRecord(i, CallStatus.Completed, "salprebox:A", "+905321234567", 1, CallDirection.Outbound, Start + i, Start + i + 30, 30),
                null, "transcript", null);
        }
    }

    [Fact]
    public async Task A_node_that_finds_the_turn_taken_does_nothing()
    {
        await using var db = await StoreWithOldCallsAsync(10);
        await using var other = new NpgsqlConnection(db.ConnectionString);
        await other.OpenAsync(Ct);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({PostgresDatabase.RetentionLock})", other))
        {
            await take.ExecuteNonQueryAsync(Ct);
        }

        Assert.Null(await db.Removal.ApplyRetentionAsync(RetentionRule.Calls, Start + 1000, 3, Ct));
        Assert.Equal(10, await db.ScalarAsync<long>("SELECT count(*) FROM calls"));

        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({PostgresDatabase.RetentionLock})", other))
        {
            await release.ExecuteNonQueryAsync(Ct);
        }
        Assert.Equal([new RetentionCount(1, 10)], await db.Removal.ApplyRetentionAsync(RetentionRule.Calls, Start + 1000, 3, Ct));
    }

    [Fact]
    public async Task Nodes_that_run_together_clear_each_call_once()
    {
        await using var db = await StoreWithOldCallsAsync(2000);
        var nodes = Enumerable.Range(0, 3).Select(_ => new PostgresDatabase(new StorageOptions { Provider = "postgres", ConnectionString = db.ConnectionString })).ToList();
        try
        {
            var runs = await Task.WhenAll(nodes.Select(node =>
                new PostgresCallRemoval(node, db.Events).ApplyRetentionAsync(RetentionRule.Details, Start + 100_000, 50, Ct)));

            Assert.Equal(2000, runs.Sum(run => run?.Sum(count => count.Calls) ?? 0));
            Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM call_details"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
