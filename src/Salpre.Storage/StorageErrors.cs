using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Salpre.Storage;

public static class StorageErrors
{
    // SQLite result codes that mean "the database cannot serve now", as opposed to a bug in a statement.
    private static readonly HashSet<int> s_sqliteUnavailable = [5 /* BUSY */, 6 /* LOCKED */, 8 /* READONLY */, 10 /* IOERR */, 13 /* FULL */, 14 /* CANTOPEN */];

    /// <summary>True when the exception says the database is unreachable or overloaded, not that a query is wrong.</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        SqliteException sqlite => s_sqliteUnavailable.Contains(sqlite.SqliteErrorCode),
        DbException db => db.IsTransient,
        TimeoutException => true,
        _ => false,
    };
}
