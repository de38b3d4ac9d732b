using System.Data.Common;
using Salpre.Storage.Calls;

namespace Salpre.Storage;

/// <summary>Commands over either database, for the stores whose SQL both share: parameters named as in the text (<c>@account</c>).</summary>
internal static class DbCommands
{
    public static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            CallSql.Add(command, name, value ?? DBNull.Value);
        }
        return command;
    }

    public static async Task<int> ExecuteAsync(DbConnection connection, CancellationToken ct, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    public static async Task<T?> FirstAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken ct) where T : class =>
        (await ReadAllAsync(command, read, ct)).FirstOrDefault();
}
