using Salpre.Storage.Calls;

namespace Salpre.Storage.Tests.Sqlite;

/// <summary>The file itself: schema through migrations, WAL, durable commits, and plans that need no sort.</summary>
public sealed class SqliteDatabaseTests
{
    [Fact]
    public async Task Migrates_once_into_wal_mode_and_keeps_the_journal()
    {
        await using var db = await TempDatabase.CreateAsync();

        var again = await db.Database.MigrateAsync(TestContext.Current.CancellationToken);

        Assert.Empty(again);
        Assert.Equal("wal", await db.ScalarAsync<string>("PRAGMA journal_mode"));
        var scripts = typeof(Salpre.Storage.Sqlite.SqliteDatabase).Assembly.GetManifestResourceNames().Count(n => n.Contains(".Sqlite.Migrations.", StringComparison.Ordinal));
        Assert.True(scripts >= 2);
        Assert.Equal(scripts, await db.ScalarAsync<long>("SELECT count(*) FROM SchemaVersions"));
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT value FROM counters WHERE name = 'next_call_num'"));
    }

    [Fact]
    public async Task Commits_writes_with_synchronous_full()
    {
        await using var db = await TempDatabase.CreateAsync();

        var synchronous = await db.Database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous";
            return await command.ExecuteScalarAsync(ct);
        }, TestContext.Current.CancellationToken);

        Assert.Equal(2L, synchronous); // 2 = FULL
    }

    [Fact]
    public async Task Keeps_one_secret_per_name_whoever_offers_one_first()
    {
        await using var db = await TempDatabase.CreateAsync();

        var first = await db.Database.GetOrCreateSecretAsync("cursor_hmac", [1, 2, 3], TestContext.Current.CancellationToken);
        var second = await db.Database.GetOrCreateSecretAsync("cursor_hmac", [9, 9, 9], TestContext.Current.CancellationToken);

        Assert.Equal([1, 2, 3], first);
        Assert.Equal([1, 2, 3], second);
    }

    public static TheoryData<string, CallQuery> Plans() => new()
    {
        { "PRIMARY KEY", new CallQuery(CallFilter.None, false, null, 0, 11) },
        { "PRIMARY KEY", new CallQuery(CallFilter.None, false, new CallPosition(1_760_000_000, 5000), 0, 11) },
        { "PRIMARY KEY", new CallQuery(CallFilter.None, true, new CallPosition(1_760_000_000, 5000), 0, 11) },
        { "ix_calls_status", new CallQuery(CallFilter.None with { StatusMask = 1 << (int)CallStatus.Failed }, false, new CallPosition(1_760_000_000, 5000), 0, 11) },
        { "ix_calls_agent ", new CallQuery(CallFilter.None with { AgentIds = [5] }, false, null, 0, 11) },
        { "ix_calls_agent_status", new CallQuery(CallFilter.None with { AgentIds = [3], StatusMask = 1 << (int)CallStatus.Failed, StartedAtOrAfter = 1_750_000_000 }, false, new CallPosition(1_760_000_000, 5000), 0, 11) },
        { "ix_calls_to", new CallQuery(CallFilter.None with { To = "+905321234567" }, false, null, 0, 11) },
        { "PRIMARY KEY", new CallQuery(CallFilter.None with { StartedAtOrAfter = 1_750_000_000, StartedBefore = 1_760_000_000 }, false, null, 0, 11) },
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public async Task Serves_the_list_from_an_index_in_list_order_without_sorting(string index, CallQuery query)
    {
        await using var db = await TempDatabase.CreateAsync();
        await using var connection = await db.Database.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + CallSql.ListSql(query, SqlDialect.Sqlite);
        CallSql.BindList(command, 1, query);

        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                plan.Add(reader.GetString(3));
            }
        }

        var text = string.Join(" | ", plan);
        Assert.DoesNotContain("TEMP B-TREE", text, StringComparison.Ordinal);
        Assert.Contains("SEARCH calls USING", text, StringComparison.Ordinal);
        Assert.Contains("account_id=?", text, StringComparison.Ordinal);
        if (query.After is not null)
        {
            Assert.Contains("(started_at,call_num)", text, StringComparison.Ordinal);
        }
        Assert.Contains($"USING {(index == "PRIMARY KEY" ? "" : "INDEX ")}{index}", text, StringComparison.Ordinal);
        Assert.True(plan.Count == 1, text);
    }
}
