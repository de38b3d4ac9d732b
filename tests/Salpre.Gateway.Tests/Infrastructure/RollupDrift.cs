using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Salpre.Gateway.Tests.Infrastructure;

/// <summary>
/// The statistics' rollups rebuilt from the calls, here, and compared with what the gateway kept: every row that one
/// side has and the other has not (rows that went back to zero are as good as absent).
/// </summary>
public static class RollupDrift
{
    private const string Hours = "(started_at + 62135596800) / 3600 - 17259888";
    private const string Days = "(started_at + 62135596800) / 86400 - 719162";
    private const string Blocks = $"({Days} + 719168) / 32 - 22474";

    private const string Kept = $"""
        SELECT 'hours' AS rollup, account_id, hour AS bucket, CAST(0 AS bigint) AS agent, status, calls, answered, talk_sec FROM call_stats_hours
        WHERE calls <> 0 OR answered <> 0 OR talk_sec <> 0
        UNION ALL
        SELECT 'agent days', account_id, day, agent_id, status, calls, answered, talk_sec FROM call_stats_agent_days
        WHERE calls <> 0 OR answered <> 0 OR talk_sec <> 0
        UNION ALL
        SELECT 'days', account_id, day, CAST(0 AS bigint), status, calls, answered, talk_sec FROM call_stats_days
        WHERE calls <> 0 OR answered <> 0 OR talk_sec <> 0
        UNION ALL
        SELECT 'agent blocks', account_id, block, agent_id, status, calls, answered, talk_sec FROM call_stats_agent_blocks
        WHERE calls <> 0 OR answered <> 0 OR talk_sec <> 0
        """;

    private const string Rebuilt = $"""
        SELECT 'hours' AS rollup, account_id, {Hours} AS bucket, CAST(0 AS bigint) AS agent, status,
               count(*) AS calls, sum(answered) AS answered, sum(coalesce(duration_sec, 0)) AS talk_sec
        FROM calls GROUP BY account_id, {Hours}, status
        UNION ALL
        SELECT 'agent days', account_id, {Days}, agent_id, status, count(*), sum(answered), sum(coalesce(duration_sec, 0))
        FROM calls GROUP BY account_id, {Days}, agent_id, status
        UNION ALL
        SELECT 'days', account_id, {Days}, CAST(0 AS bigint), status, count(*), sum(answered), sum(coalesce(duration_sec, 0))
        FROM calls GROUP BY account_id, {Days}, status
        UNION ALL
        SELECT 'agent blocks', account_id, {Blocks}, agent_id, status, count(*), sum(answered), sum(coalesce(duration_sec, 0))
        FROM calls GROUP BY account_id, {Blocks}, agent_id, status
        """;

    /// <summary>The differences, each as "kept only: ..." or "rebuilt only: ...", in the gateway's store.</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(GatewayFactory gateway) =>
        gateway.Postgres is null
            ? await FindAsync(new SqliteConnection($"Data Source={gateway.DatabasePath};Pooling=False"))
            : await FindAsync(new NpgsqlConnection(gateway.StorageSettings["Storage:ConnectionString"]));

    public static async Task<IReadOnlyList<string>> FindAsync(DbConnection connection)
    {
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT 'kept only', k.* FROM (SELECT * FROM ({Kept}) AS a EXCEPT SELECT * FROM ({Rebuilt}) AS b) AS k
                UNION ALL
                SELECT 'rebuilt only', r.* FROM (SELECT * FROM ({Rebuilt}) AS a EXCEPT SELECT * FROM ({Kept}) AS b) AS r
                """;
            await using var reader = await command.ExecuteReaderAsync();
            var differences = new List<string>();
            while (await reader.ReadAsync())
            {
                differences.Add(string.Join(' ', Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i))));
            }
            return differences;
        }
    }
}
