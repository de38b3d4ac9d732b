using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Salpre.Storage.Sqlite;

/// <summary>
/// Open read connections that keep their prepared statements between uses. Preparing the list's statement costs
/// more than running it, so the hot path borrows a connection that has already prepared it.
/// </summary>
internal sealed class SqliteReaderPool(string connectionString) : IDisposable
{
    private const int MaxStatementsPerConnection = 64;

    private readonly ConcurrentBag<Reader> _idle = [];
    private readonly int _maxIdle = Environment.ProcessorCount * 16;
    private int _idleCount;

    /// <summary>Runs <paramref name="sql"/> with the parameters <paramref name="bind"/> adds, and reads its rows.</summary>
    public T Read<T, TState>(string sql, TState state, Action<SqliteCommand, TState> bind, Func<SqliteDataReader, TState, T> read)
    {
        Reader? reader = null;
        if (_idle.TryTake(out reader))
        {
            Interlocked.Decrement(ref _idleCount);
        }
        reader ??= new Reader(connectionString);
        T result;
        try
        {
            var command = reader.Command(sql);
            command.Parameters.Clear();
            bind(command, state);
            using var rows = command.ExecuteReader();
            result = read(rows, state);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
        // Only once its rows are closed may another request use the connection.
        Return(reader);
        return result;
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    private void Return(Reader reader)
    {
        if (Interlocked.Increment(ref _idleCount) <= _maxIdle)
        {
            _idle.Add(reader);
            return;
        }
        Interlocked.Decrement(ref _idleCount);
        reader.Dispose();
    }

    private sealed class Reader : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        public Reader(string connectionString)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
        }

        public SqliteCommand Command(string sql)
        {
            if (_commands.TryGetValue(sql, out var command))
            {
                return command;
            }
            // Filtered lists vary; a connection forgets its statements rather than keep them all.
            if (_commands.Count >= MaxStatementsPerConnection)
            {
                DisposeCommands();
            }
            command = _connection.CreateCommand();
            command.CommandText = sql;
            // Without Prepare() Microsoft.Data.Sqlite compiles the statement again on every execution.
            command.Prepare();
            _commands[sql] = command;
            return command;
        }

        public void Dispose()
        {
            DisposeCommands();
            _connection.Dispose();
        }

        private void DisposeCommands()
        {
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }
            _commands.Clear();
        }
    }
}
