using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Salpre.Storage;

public static class StorageErrors
{
    // SQLite result codes that mean "the database cannot serve now", as opposed to a bug in a statement.
    private static readonly HashSet<int> s_sqliteUnavailable = [5 /* BUSY */, 6 /* LOCKED */, 8 /* READONLY */, 10 /* IOERR */, 13 /* FULL */, 14 /* CANTOPEN */];

    // PostgreSQL states that mean the server is going away, starting, full or out of resources, not a wrong query:
    // classes 08 (connection), 53 (insufficient resources), 57P0x (shutdown, crash, cannot connect now).
    private static readonly HashSet<string> s_postgresUnavailable = ["57P01", "57P02", "57P03", "57P05", "53000", "53100", "53200", "53300", "58030"];

    /// <summary>True when the exception came from the database (or from reaching it), whatever it says.</summary>
    public static bool IsDatabaseError(Exception exception) => exception is DbException || IsUnavailable(exception);

    /// <summary>True when the exception says the database is unreachable or overloaded, not that a query is wrong.</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        SqliteException sqlite => s_sqliteUnavailable.Contains(sqlite.SqliteErrorCode),
        PostgresException postgres => s_postgresUnavailable.Contains(postgres.SqlState)
            || postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.IsTransient,
        // Npgsql's own failures (no connection, broken stream, pool exhausted) wrap what the socket or clock said.
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is { } inner && IsUnavailable(inner),
        DbException db => db.IsTransient,
        SocketException or TimeoutException => true,
        IOException { InnerException: SocketException } => true,
        _ => false,
    };
}
