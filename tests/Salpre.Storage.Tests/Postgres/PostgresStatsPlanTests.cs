using System.Text.Json.Nodes;
using Npgsql;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Stats;
using Salpre.Storage.Postgres;
using Salpre.Storage.Tests.Stores;

namespace Salpre.Storage.Tests.Postgres;

/// <summary>
/// Every part of every kind of statistics query, as PostgreSQL plans it over an analyzed history shaped like the
/// bench's: a rollup part reads the rollup's primary key over the account's bucket range, a calls part an index range
/// of the account's calls (the started_at range in the index condition); nothing reads a whole table.
/// </summary>
public sealed class PostgresStatsPlanTests(PostgresStatsPlanTests.StatsHistory history) : IClassFixture<PostgresStatsPlanTests.StatsHistory>
{
    /// <summary>
    /// 300,000 calls over two years of working hours (November 2024 to November 2026), 30% in account 1 and the rest
    /// over 99 small accounts; twenty agents, fifty numbers, the bench's status mix. Rows are written in key order,
    /// as an import writes them, the rollups filled as their migration fills them, then everything analyzed.
    /// </summary>
    public sealed class StatsHistory : IAsyncLifetime
    {
        public PostgresTestStore Db { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Db = await PostgresTestStore.CreateAsync();
            // plan_random(g, k, n): the k-th pseudo-random number in [0, n) of row g, the same on every run.
            await Db.ExecuteAsync("""
                CREATE FUNCTION plan_random(g bigint, k int, n int) RETURNS bigint IMMUTABLE LANGUAGE sql
                AS $$ SELECT (hashint8(g * 16 + k)::bigint & 2147483647) % n $$
                """);
            await Db.ExecuteAsync($$"""
                INSERT INTO accounts (id, name, created_at) SELECT a, 'account ' || a, 0 FROM generate_series(1, 100) a;
                INSERT INTO calls (account_id, started_at, call_num, status, from_addr, to_addr, agent_id, direction, ended_at, duration_sec, answered)
                SELECT account_id, started_at, g, status, 'salprebox:BOX' || (g % 5), '+9053210000' || lpad(number::text, 2, '0'),
                       agent_id, CASE WHEN g % 100 < 82 THEN 0 ELSE 1 END,
                       CASE WHEN status >= 3 THEN started_at + duration + 5 END, CASE WHEN status >= 3 THEN duration END,
                       CASE WHEN status = 2 OR duration > 0 THEN 1 ELSE 0 END
                FROM (
                    SELECT g,
                           CASE WHEN g % 10 < 3 THEN 1 ELSE 2 + g % 99 END AS account_id,
                           {{StatsPlanCases.HistoryStart}} + plan_random(g, 1, 730) * 86400 + 21600 + plan_random(g, 2, 36000) AS started_at,
                           CASE WHEN plan_random(g, 3, 100) < 62 THEN 3 WHEN plan_random(g, 3, 100) < 76 THEN 5 WHEN plan_random(g, 3, 100) < 84 THEN 4
                                WHEN plan_random(g, 3, 100) < 91 THEN 6 WHEN plan_random(g, 3, 100) < 95 THEN 7 WHEN plan_random(g, 3, 100) < 97 THEN 2
                                WHEN plan_random(g, 3, 100) < 98 THEN 1 ELSE 0 END AS status,
                           CASE WHEN plan_random(g, 3, 100) < 62 THEN 1 + plan_random(g, 4, 900) ELSE 0 END AS duration,
                           1 + plan_random(g, 5, 20) AS agent_id, plan_random(g, 6, 50) AS number
                    FROM generate_series(1, 300000) g
                ) c
                ORDER BY account_id, started_at;
                INSERT INTO call_stats_hours (account_id, hour, status, calls, answered, talk_sec)
                SELECT account_id, (started_at + 62135596800) / 3600 - 17259888, status, count(*), sum(answered), sum(coalesce(duration_sec, 0))
                FROM calls GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
                INSERT INTO call_stats_agent_days (account_id, day, agent_id, status, calls, answered, talk_sec)
                SELECT account_id, (started_at + 62135596800) / 86400 - 719162, agent_id, status, count(*), sum(answered), sum(coalesce(duration_sec, 0))
                FROM calls GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
                INSERT INTO call_stats_days (account_id, day, status, calls, answered, talk_sec)
                SELECT account_id, day, status, sum(calls), sum(answered), sum(talk_sec) FROM call_stats_agent_days GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
                INSERT INTO call_stats_agent_blocks (account_id, block, agent_id, status, calls, answered, talk_sec)
                SELECT account_id, (day + 719168) / 32 - 22474, agent_id, status, sum(calls), sum(answered), sum(talk_sec)
                FROM call_stats_agent_days GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
                DROP FUNCTION plan_random;
                """);
            await Db.ExecuteAsync("VACUUM ANALYZE");
        }

        public async ValueTask DisposeAsync() => await Db.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(StatsPlanCases.Names), MemberType = typeof(StatsPlanCases))]
    public async Task Plans_every_part_for_its_own_values_without_JIT_however_often_it_is_asked(string name)
    {
        // One pooled session, so the statements the store prepares are the ones this test then looks at.
        await using var database = new PostgresDatabase(new StorageOptions { Provider = "postgres", ConnectionString = history.Db.ConnectionString + ";Maximum Pool Size=1" });
        var store = new PostgresCallStore(database, history.Db.Events);
        var test = StatsPlanCases.Named(name);

        // PostgreSQL weighs a generic plan after five custom ones of a prepared statement.
        for (var i = 0; i < 8; i++)
        {
            await store.GetStatsAsync(StatsPlanCases.Account, test.Query, TestContext.Current.CancellationToken);
        }

        await using var session = await database.OpenAsync(TestContext.Current.CancellationToken);
        await using var plans = new NpgsqlCommand("SELECT count(*), coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) FROM pg_prepared_statements WHERE statement NOT LIKE 'SET %' AND statement NOT IN ('BEGIN', 'COMMIT')", session);
        await using var reader = await plans.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        var (prepared, generic, custom) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        Assert.True(prepared > 0, "the store's statements were not prepared: nothing was checked");
        Assert.Equal(0, generic);
        Assert.True(custom >= 6 * prepared, $"{custom} custom plans for {prepared} statements");
        await reader.DisposeAsync();
        await using var jit = new NpgsqlCommand("SHOW jit", session);
        Assert.Equal("off", (string?)await jit.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(StatsPlanCases.Names), MemberType = typeof(StatsPlanCases))]
    public async Task Reads_the_accounts_range_of_an_index_for_every_part(string name)
    {
        var test = StatsPlanCases.Named(name);
        var parts = StatsSql.Plan(StatsPlanCases.Account, test.Query, SqlDialect.Postgres);
        var plans = new List<(StatsSql.Part Part, JsonNode Json, IReadOnlyList<string> Text)>();
        foreach (var part in parts)
        {
            var json = JsonNode.Parse(string.Join("\n", await ExplainAsync(part, "FORMAT JSON")))![0]!["Plan"]!;
            plans.Add((part, json, await ExplainAsync(part, "FORMAT TEXT")));
        }
        StatsPlanCases.Report("postgres", name, plans.Select(p => (p.Part, p.Text)));

        Assert.Equal(test.Sources, parts.Select(StatsPlanCases.SourceOf));
        foreach (var (part, json, text) in plans)
        {
            var shown = string.Join("\n", text);
            var nodes = Flatten(json).ToList();
            var source = StatsPlanCases.SourceOf(part);
            Assert.DoesNotContain(nodes, n => (string)n["Node Type"]! == "Seq Scan");
            var scan = Assert.Single(nodes, n => n["Relation Name"] is not null);
            Assert.True((string?)scan["Relation Name"] == source, shown);
            // An index range read: an index scan, or a bitmap heap scan over one index's range (PostgreSQL's choice
            // when the range holds much of the table: the same pages, read in the table's order).
            var type = (string)scan["Node Type"]!;
            Assert.True(type is "Index Scan" or "Index Only Scan" or "Bitmap Heap Scan", shown);
            var index = type == "Bitmap Heap Scan" ? Assert.Single(nodes, n => (string)n["Node Type"]! == "Bitmap Index Scan") : scan;
            Assert.DoesNotContain(nodes, n => (string)n["Node Type"]! is "BitmapAnd" or "BitmapOr");
            var condition = (string?)index["Index Cond"] ?? "";
            Assert.Contains("account_id = ", condition, StringComparison.Ordinal);
            var bucket = source switch
            {
                StatsPlanCases.Hours => "hour",
                StatsPlanCases.Days or StatsPlanCases.AgentDays => "day",
                StatsPlanCases.AgentBlocks => "block",
                _ => "started_at",
            };
            Assert.Contains($"{bucket} >= ", condition, StringComparison.Ordinal);
            Assert.Contains($"{bucket} < ", condition, StringComparison.Ordinal);
            if (source != StatsPlanCases.Calls)
            {
                Assert.Equal($"{source}_pkey", (string)index["Index Name"]!);
            }
        }
    }

    private async Task<IReadOnlyList<string>> ExplainAsync(StatsSql.Part part, string options)
    {
        await using var connection = await history.Db.Database.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand($"EXPLAIN ({options}) {part.Sql}", connection);
        part.Bind(command);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            lines.Add(reader.GetString(0));
        }
        return lines;
    }

    private static IEnumerable<JsonNode> Flatten(JsonNode plan) =>
        [plan, .. (plan["Plans"]?.AsArray() ?? []).SelectMany(child => Flatten(child!))];
}
