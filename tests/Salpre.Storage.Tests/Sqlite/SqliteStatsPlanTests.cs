using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Stats;
using Salpre.Storage.Tests.Stores;

namespace Salpre.Storage.Tests.Sqlite;

/// <summary>
/// Every part of every kind of statistics query, as SQLite plans it: a search of one range of a primary key (a
/// rollup's or the calls'), or of the index the list's hint names for the filter; never a scan of a table. The
/// gateway keeps no statistics for SQLite's planner (no ANALYZE), so an empty file plans as a loaded one does.
/// </summary>
public sealed class SqliteStatsPlanTests : IAsyncLifetime
{
    private TempDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TempDatabase.CreateAsync();

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();

    [Theory]
    [MemberData(nameof(StatsPlanCases.Names), MemberType = typeof(StatsPlanCases))]
    public async Task Reads_one_range_of_a_primary_key_or_the_hinted_index_for_every_part(string name)
    {
        var test = StatsPlanCases.Named(name);
        var parts = StatsSql.Plan(StatsPlanCases.Account, test.Query, SqlDialect.Sqlite);
        var plans = new List<(StatsSql.Part, IReadOnlyList<string>)>();
        foreach (var part in parts)
        {
            plans.Add((part, await ExplainAsync(part)));
        }
        StatsPlanCases.Report("sqlite", name, plans);

        Assert.Equal(test.Sources, parts.Select(StatsPlanCases.SourceOf));
        foreach (var (part, whole) in plans)
        {
            var text = string.Join(" | ", whole);
            // A moved-hours part walks a series of days made in memory and seeks the hours' rollup once for each.
            var plan = whole;
            if (part.Sql.Contains("moved_days", StringComparison.Ordinal))
            {
                Assert.Equal(s_daySeries, whole.Take(s_daySeries.Length));
                plan = [.. whole.Skip(s_daySeries.Length)];
            }
            var source = StatsPlanCases.SourceOf(part);
            Assert.DoesNotContain(plan, line => line.StartsWith("SCAN ", StringComparison.Ordinal));
            var search = Assert.Single(plan, line => line.StartsWith("SEARCH ", StringComparison.Ordinal));
            if (source == StatsPlanCases.Calls)
            {
                var index = CallSql.IndexFor(test.Query.Filter);
                Assert.StartsWith($"SEARCH calls USING {(index is null ? "PRIMARY KEY" : $"INDEX {index}")} (account_id=? AND ", search, StringComparison.Ordinal);
                Assert.EndsWith("started_at>? AND started_at<?)", search, StringComparison.Ordinal);
            }
            else
            {
                var bucket = source switch { StatsPlanCases.Hours => "hour", StatsPlanCases.AgentBlocks => "block", _ => "day" };
                Assert.Equal($"SEARCH {source} USING PRIMARY KEY (account_id=? AND {bucket}>? AND {bucket}<?)", search);
            }
            Assert.True(plan.All(line => line.StartsWith("SEARCH ", StringComparison.Ordinal) || line == "USE TEMP B-TREE FOR GROUP BY"), text);
        }
    }

    private static readonly string[] s_daySeries = ["CO-ROUTINE moved_days", "SETUP", "SCAN CONSTANT ROW", "RECURSIVE STEP", "SCAN moved_days", "SCAN moved_days"];

    private async Task<IReadOnlyList<string>> ExplainAsync(StatsSql.Part part)
    {
        await using var connection = await _db.Database.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + part.Sql;
        part.Bind(command);
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            plan.Add(reader.GetString(3));
        }
        return plan;
    }
}
