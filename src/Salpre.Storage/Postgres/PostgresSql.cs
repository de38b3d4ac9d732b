using Npgsql;

namespace Salpre.Storage.Postgres;

/// <summary>Short forms for the parameterised statements the PostgreSQL stores run.</summary>
internal static class PostgresSql
{
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    /// <summary>A statement of an <see cref="NpgsqlBatch"/>: statements that depend on each other's order, in one round trip.</summary>
    public static NpgsqlBatchCommand BatchCommand(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, CancellationToken ct, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, CancellationToken ct, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Reads every row of a query with <paramref name="read"/>.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    /// <summary>The first row of a query read with <paramref name="read"/>, or null when there is none.</summary>
    public static async Task<T?> FirstAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken ct) where T : class
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? read(reader) : null;
    }
}
