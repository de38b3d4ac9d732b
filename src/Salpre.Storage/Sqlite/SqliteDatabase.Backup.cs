namespace Salpre.Storage.Sqlite;

public sealed partial class SqliteDatabase : IStorageBackup
{
    public string Source => FilePath;

    /// <summary>
    /// Copies the database with <c>VACUUM INTO</c>: one read transaction, so writers (WAL) go on, and the copy holds
    /// every write committed when it began. The online backup API would start over each time another process writes.
    /// The copy is made as PATH.partial, flushed to disk, then renamed: a crash never leaves half a backup under the
    /// real name. It holds key hashes and the gateway's secrets, so on Unix only its owner may read it, from its first byte.
    /// </summary>
    public async Task<long> BackupAsync(string path, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(path);
        var partial = target + ".partial";
        var folder = Path.GetDirectoryName(target)!;
        if (!File.Exists(FilePath))
        {
            throw new FileNotFoundException($"There is no database {FilePath} to back up.", FilePath);
        }
        if (File.Exists(target) || Directory.Exists(target))
        {
            throw new IOException($"{target} already exists; a backup never replaces a file.");
        }
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The folder {folder} does not exist.");
        }
        if (File.Exists(partial))
        {
            throw new IOException($"{partial} exists: another backup to {target} is running, or one was interrupted (then delete it).");
        }

        CreatePrivateFile(partial);
        try
        {
            await using (var connection = await OpenAsync(cancellationToken))
            await using (var vacuum = connection.CreateCommand())
            {
                // VACUUM INTO writes into an empty file as into a new one, keeping its owner-only mode.
                vacuum.CommandText = "VACUUM INTO @path";
                vacuum.Parameters.AddWithValue("@path", partial);
                vacuum.CommandTimeout = 0;
                await vacuum.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var copy = new FileStream(partial, FileMode.Open, FileAccess.Write))
            {
                copy.Flush(flushToDisk: true);
            }
            File.Move(partial, target, overwrite: false);
            return new FileInfo(target).Length;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>An empty file only its owner may read and write (on Unix); refused if it already exists.</summary>
    private static void CreatePrivateFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var _ = new FileStream(path, options);
    }
}
