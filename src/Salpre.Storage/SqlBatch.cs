using System.Data.Common;

namespace Salpre.Storage;

/// <summary>
/// Statements of one transaction that need no rows back, gathered to go out together: in one round trip where the
/// provider batches (PostgreSQL), one after another where it does not (SQLite, which has no round trips to save).
/// Parameters are named as in the SQL text (<c>@account</c>).
/// </summary>
internal sealed class SqlBatch
{
    private readonly List<Statement> _statements = [];

    /// <summary>A statement of the batch, and how many rows it changed once the batch has run.</summary>
    public sealed class Statement(string sql, (string Name, object? Value)[] parameters)
    {
        public string Sql { get; } = sql;

        public (string Name, object? Value)[] Parameters { get; } = parameters;

        public int RecordsAffected { get; internal set; }
    }

    public Statement Add(string sql, params (string Name, object? Value)[] parameters)
    {
        var statement = new Statement(sql, parameters);
        _statements.Add(statement);
        return statement;
    }

    /// <summary>Runs the statements in order, on the connection's transaction, and empties the batch.</summary>
    public async Task ExecuteAsync(DbConnection connection, CancellationToken ct)
    {
        if (connection.CanCreateBatch)
        {
            await using var batch = connection.CreateBatch();
            foreach (var statement in _statements)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = statement.Sql;
                Bind(command.Parameters, command.CreateParameter, statement.Parameters);
                batch.BatchCommands.Add(command);
            }
            await batch.ExecuteNonQueryAsync(ct);
            for (var i = 0; i < _statements.Count; i++)
            {
                _statements[i].RecordsAffected = batch.BatchCommands[i].RecordsAffected;
            }
        }
        else
        {
            foreach (var statement in _statements)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = statement.Sql;
                Bind(command.Parameters, command.CreateParameter, statement.Parameters);
                statement.RecordsAffected = await command.ExecuteNonQueryAsync(ct);
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
