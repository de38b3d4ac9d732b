using Npgsql;

namespace Salpre.Storage.Postgres;

/// <summary>
/// The global call-number sequence. Make-call takes numbers with nextval under a shared advisory lock; reservations
/// and imports move the sequence forward under the exclusive one, so no number is taken while it moves.
/// </summary>
internal static class PostgresCallNumbers
{
    /// <summary>The statement that takes the next number, for a call created in the current transaction (it goes out with others).</summary>
    public static NpgsqlBatchCommand Next() =>
        PostgresSql.BatchCommand("SELECT nextval('call_numbers') FROM (SELECT pg_advisory_xact_lock_shared(@lock)) AS turn",
            ("lock", PostgresDatabase.CallNumbersLock));

    /// <summary>
    /// Stops every make-call until the transaction ends and returns the number the sequence would give next.
    /// </summary>
    public static async Task<long> TakeOverAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using (var turn = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@lock)", connection))
        {
            turn.Parameters.AddWithValue("lock", PostgresDatabase.CallNumbersLock);
            await turn.ExecuteNonQueryAsync(ct);
        }
        await using var command = new NpgsqlCommand(
            "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM call_numbers", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Makes <paramref name="last"/> the last number given, after <see cref="TakeOverAsync"/>.</summary>
    public static async Task SetLastGivenAsync(NpgsqlConnection connection, long last, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT setval('call_numbers', @last)", connection);
        command.Parameters.AddWithValue("last", last);
        await command.ExecuteScalarAsync(ct);
    }
}
