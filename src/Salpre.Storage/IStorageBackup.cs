namespace Salpre.Storage;

/// <summary>
/// A store that copies itself while it serves: SQLite. PostgreSQL has none; its own tools (pg_dump, pg_basebackup)
/// back it up.
/// </summary>
public interface IStorageBackup
{
    /// <summary>What is copied: the database file.</summary>
    string Source { get; }

    /// <summary>
    /// Writes a consistent copy to <paramref name="path"/>, a new file in an existing folder: every write committed
    /// when the copy starts, while writers go on. Returns the copy's size in bytes. A refusal or failure throws an
    /// <see cref="IOException"/> (or the database's own exception) and leaves nothing at <paramref name="path"/>.
    /// </summary>
    Task<long> BackupAsync(string path, CancellationToken cancellationToken);
}
