using System.Data.Common;

namespace Salpre.Storage;

/// <summary>
/// Statements of one transaction that need nothing back, gathered to go out together: in one round trip where the
/// provider batches (PostgreSQL), one after another where it does not (SQLite, which has no round trips to save).
/// Parameters are named as in the SQL text (<c>@account</c>).
/// </summary>
internal sealed class SqlBatch
{
    private readonly List<(string Sql, (string Name, object? Value)[] Parameters)> _statements = [];

    public void Add(string sql, params (string Name, object? Value)[] parameters) => _statements.Add((sql, parameters));

    /// <summary>Runs the statements in order, on the connection's transaction, and empties the batch.</summary>
    public async Task ExecuteAsync(DbConnection connection, CancellationToken ct)
    {
        if (connection.CanCreateBatch)
        {
            await using var batch = connection.CreateBatch();
            foreach (var (sql, parameters) in _statements)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = sql;
                Bind(command.Parameters, command.CreateParameter, parameters);
                batch.BatchCommands.Add(command);
            }
            await batch.ExecuteNonQueryAsync(ct);
        }
        else
        {
            foreach (var (sql, parameters) in _statements)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                Bind(command.Parameters, command.CreateParameter, parameters);
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        _statements.Clear();
    }

    private static void Bind(DbParameterCollection target, Func<DbParameter> create, (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            var parameter = create();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            target.Add(parameter);
        }
    }
}
