using System.Text.Json.Nodes;
using Npgsql;
using Salpre.Storage.Calls;

namespace Salpre.Storage.Tests.Postgres;

/// <summary>
/// The list's queries, as PostgreSQL plans them over a table with statistics: every page is an index range read in
/// list order, with no sort and no scan of the account's history, whatever its depth.
/// </summary>
public sealed class PostgresPlanTests(PostgresPlanTests.CallHistory history) : IClassFixture<PostgresPlanTests.CallHistory>
{
    /// <summary>160,000 calls over four accounts, twenty agents, fifty numbers and every status, analyzed.</summary>
    public sealed class CallHistory : IAsyncLifetime
    {
        public PostgresTestStore Db { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Db = await PostgresTestStore.CreateAsync();
            await Db.ExecuteAsync("""
                INSERT INTO accounts (id, name, created_at) SELECT a, 'account ' || a, 0 FROM generate_series(1, 4) a;
                INSERT INTO calls (account_id, started_at, call_num, status, from_addr, to_addr, agent_id, direction, ended_at, duration_sec)
                SELECT 1 + g % 4, 1700000000 + g * 7, g, g % 8, 'salprebox:A', '+90532' || (g % 50), g % 20, g % 2,
                       1700000060 + g * 7, g % 300
                FROM generate_series(1, 160000) g;
                ANALYZE;
                """);
        }

        public async ValueTask DisposeAsync() => await Db.DisposeAsync();
    }

    private static readonly CallPosition s_middle = new(1_700_000_000 + 80_000 * 7, 80_000);

    public static TheoryData<string, CallQuery> Plans() => new()
    {
        { "calls_pkey", new CallQuery(CallFilter.None, false, null, 0, 11) },
        { "calls_pkey", new CallQuery(CallFilter.None, false, s_middle, 0, 11) },
        { "calls_pkey", new CallQuery(CallFilter.None, true, s_middle, 0, 11) },
        { "ix_calls_status", new CallQuery(CallFilter.None with { StatusMask = 1 << (int)CallStatus.Failed }, false, s_middle, 0, 11) },
        { "ix_calls_agent", new CallQuery(CallFilter.None with { AgentIds = [5] }, false, null, 0, 11) },
        { "ix_calls_agent_status", new CallQuery(CallFilter.None with { AgentIds = [3], StatusMask = 1 << (int)CallStatus.Failed, StartedAtOrAfter = 1_700_100_000 }, false, s_middle, 0, 11) },
        { "ix_calls_to", new CallQuery(CallFilter.None with { To = "+9053217" }, false, s_middle, 0, 11) },
        { "calls_pkey", new CallQuery(CallFilter.None with { StartedAtOrAfter = 1_700_100_000, StartedBefore = 1_700_900_000 }, false, null, 0, 11) },
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public async Task Serves_the_list_from_an_index_in_list_order_without_sorting(string index, CallQuery query)
    {
        await using var command = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + CallSql.ListSql(query, SqlDialect.Postgres), await history.Db.Database.OpenAsync(TestContext.Current.CancellationToken));
        CallSql.BindList(command, 1, query);

        var json = (string)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        await command.Connection!.DisposeAsync();
        var nodes = Flatten(JsonNode.Parse(json)![0]!["Plan"]!).ToList();
        var types = string.Join(" > ", nodes.Select(n => (string)n["Node Type"]!));

        Assert.DoesNotContain(nodes, n => ((string)n["Node Type"]!).Contains("Sort", StringComparison.Ordinal) || (string)n["Node Type"]! is "Seq Scan" or "Bitmap Heap Scan");
        var scan = Assert.Single(nodes, n => (string?)n["Relation Name"] == "calls");
        Assert.Equal("Index Scan", (string)scan["Node Type"]!);
        Assert.Equal(index, (string)scan["Index Name"]!);
        Assert.Equal(query.Ascending ? "Forward" : "Backward", (string)scan["Scan Direction"]!);
        var condition = (string)scan["Index Cond"]!;
        Assert.Contains("account_id = ", condition, StringComparison.Ordinal);
        if (query.After is not null)
        {
            // The keyset bound is part of the index range, not a filter applied to rows read from the start.
            Assert.Contains("ROW(started_at, call_num)", condition, StringComparison.Ordinal);
        }
        Assert.True(nodes.Count <= 2, types);
    }

    private static IEnumerable<JsonNode> Flatten(JsonNode plan) =>
        [plan, .. (plan["Plans"]?.AsArray() ?? []).SelectMany(child => Flatten(child!))];
}
