using System.Diagnostics;
using DbUp;
using DbUp.Engine;
using Microsoft.Data.Sqlite;

namespace Salpre.Storage.Sqlite;

/// <summary>
/// The SQLite file: connections, schema and secrets. WAL lets readers run beside the one writer, and every write
/// transaction runs with <c>synchronous=FULL</c> so that a commit is on disk before it is acknowledged.
/// </summary>
public sealed partial class SqliteDatabase : IStorage, IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteReaderPool _readers;

    // SQLite takes one writer at a time. Writers of this process queue here, asynchronously, instead of colliding on
    // the file lock, where a loser sleeps in long fixed steps; other processes meet SQLite's own busy timeout.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private FileStream? _servingLock;

    // Every write: durable commits, checked references, a wait for other processes' writers, and deleted content
    // overwritten with zeros (an erasure must not leave a row's old bytes in a page's free space).
    private const string WritePragmas = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;";

    // Every connection serves one thread at a time (the writer queue, the reader pool), so SQLite's default serialized
    // mode, a mutex around every call, and its global memory statistics, a mutex around every allocation, only cost
    // time. Set before SQLite starts; once it has (another connection of this process opened first), they stay as they are.
    static SqliteDatabase()
    {
        SQLitePCL.Batteries_V2.Init();
        SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MULTITHREAD);
        SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MEMSTATUS, 0);
    }

    public SqliteDatabase(StorageOptions options, StorageMetrics? metrics = null)
    {
        Metrics = metrics ?? StorageMetrics.Unobserved;
        var builder = new SqliteConnectionStringBuilder(
            options.ConnectionString.Contains('=', StringComparison.Ordinal)
                ? options.ConnectionString
                : $"Data Source={options.ConnectionString}")
        {
            Pooling = true,
            Mode = SqliteOpenMode.ReadWriteCreate,
        };
        FilePath = Path.GetFullPath(builder.DataSource);
        builder.DataSource = FilePath;
        _connectionString = builder.ToString();
        _readers = new SqliteReaderPool(_connectionString);
    }

    public string FilePath { get; }

    internal StorageMetrics Metrics { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>A connection opened synchronously, for the few callers that cannot await (the key ring).</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>A read on a pooled connection with its statements prepared; see <see cref="SqliteReaderPool"/>.</summary>
    internal T Read<T, TState>(string sql, TState state, Action<SqliteCommand, TState> bind, Func<SqliteDataReader, TState, T> read) =>
        _readers.Read(sql, state, bind, read);

    /// <summary>
    /// Makes this process the one gateway serving the file, for as long as it lives: SQLite's WAL works for processes
    /// of one host only, and the gateway keeps per-node state (page cache, buckets) that several nodes would split.
    /// Admin commands do not claim it. The operating system drops the lock when the process dies, even by SIGKILL.
    /// The file's folder is made first; anything but a lock held by another process is refused with its own reason.
    /// </summary>
    public void ClaimSingleGateway()
    {
        var folder = Path.GetDirectoryName(FilePath)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Unusable($"its folder {folder} cannot be created ({exception.Message})");
        }
        if (Directory.Exists(FilePath))
        {
            throw Unusable("it is a folder, not a database file");
        }
        try
        {
            _servingLock = new FileStream(FilePath + ".gateway-lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception) when (IsHeldByAnotherProcess(exception))
        {
            throw new StartupRefusedException(
                $"Another gateway is already serving {FilePath}. A SQLite database serves one gateway node; to run " +
                "several nodes, use PostgreSQL (Storage:Provider=postgres, Storage:ConnectionString=...; see docs/scaling.md).");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Unusable($"its folder {folder} is not writable ({exception.Message})");
        }
        if (File.Exists(FilePath))
        {
            try
            {
                using var _ = new FileStream(FilePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw Unusable($"the file is not writable ({exception.Message})");
            }
        }
    }

    private StartupRefusedException Unusable(string reason) => new($"Cannot serve the SQLite database {FilePath}: {reason.TrimEnd('.')}.");

    // A lock another process holds: flock's EWOULDBLOCK on Unix, a sharing or lock violation on Windows. Every other
    // failure (a read-only file system, a denied folder) has a reason of its own.
    private static bool IsHeldByAnotherProcess(IOException exception) => OperatingSystem.IsWindows()
        ? (exception.HResult & 0xFFFF) is 32 or 33
        : exception.HResult == (OperatingSystem.IsMacOS() ? 35 : 11);

    public void Dispose()
    {
        _servingLock?.Dispose();
        _readers.Dispose();
        _writeGate.Dispose();
    }

    /// <summary>
    /// Copies every page of the WAL into the file and empties the WAL (<c>wal_checkpoint(TRUNCATE)</c>), in the writers'
    /// queue so that no write starts meanwhile; SQLite waits for readers (busy timeout). With <c>secure_delete</c> on,
    /// what was deleted is then in neither file.
    /// </summary>
    public async Task TruncateWalAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using (var timeout = connection.CreateCommand())
            {
                timeout.CommandText = "PRAGMA busy_timeout = 10000";
                await timeout.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            // One row: whether a reader kept it from finishing, the WAL's frames, the frames copied.
            if (!await reader.ReadAsync(cancellationToken) || reader.GetInt32(0) != 0)
            {
                throw new IOException($"The WAL of {FilePath} could not be emptied: a reader held it past the busy timeout.");
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in an immediate (write-locking) transaction with durable commits, and commits it
    /// unless the work throws. Commands created on the connection join the transaction.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var queued = Stopwatch.GetTimestamp();
        await _writeGate.WaitAsync(cancellationToken);
        Metrics.WriteGateWaited(queued);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = WritePragmas;
                await pragma.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var transaction = connection.BeginTransaction(deferred: false);
            var result = await work(connection, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// <see cref="WriteAsync{T}"/> for the few callers that cannot await (the key ring, written once in months): the same
    /// queue, transaction and durability.
    /// </summary>
    public T Write<T>(Func<SqliteConnection, T> work)
    {
        var queued = Stopwatch.GetTimestamp();
        _writeGate.Wait();
        Metrics.WriteGateWaited(queued);
        try
        {
            using var connection = Open();
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = WritePragmas;
                pragma.ExecuteNonQuery();
            }
            using var transaction = connection.BeginTransaction(deferred: false);
            var result = work(connection);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        // Processes that start together (a gateway and an admin command) take turns, so each script runs once.
        await using var turn = await TakeMigrationTurnAsync(cancellationToken);
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }
        catch (SqliteException exception)
        {
            throw Unusable(exception.Message); // not a database, or one this process cannot open
        }

        var result = Upgrader().PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        }
        return [.. result.Scripts.Select((SqlScript script) => script.Name)];
    }

    public Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<string> pending = File.Exists(FilePath)
            ? [.. Upgrader().GetScriptsToExecute().Select(script => script.Name)]
            : [.. Upgrader().GetDiscoveredScripts().Select(script => script.Name)];
        return Task.FromResult(pending);
    }

    private UpgradeEngine Upgrader() => DeployChanges.To
        .SqliteDatabase(_connectionString)
        .WithScriptsEmbeddedInAssembly(typeof(SqliteDatabase).Assembly, name => name.Contains(".Sqlite.Migrations.", StringComparison.Ordinal))
        .WithTransactionPerScript()
        .LogToNowhere()
        .Build();

    /// <summary>An exclusive lock on a file beside the database, held while migrating.</summary>
    private async Task<FileStream> TakeMigrationTurnAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return new FileStream(FilePath + ".migration-lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM counters WHERE name = 'keys_version'";
        _ = await command.ExecuteScalarAsync(cancellationToken);
    }

    public Task<byte[]> GetOrCreateSecretAsync(string name, byte[] candidate, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO secrets (name, value) VALUES (@name, @value) ON CONFLICT DO NOTHING; " +
                                  "SELECT value FROM secrets WHERE name = @name;";
            command.Parameters.AddWithValue("@name", name);
            command.Parameters.AddWithValue("@value", candidate);
            return (byte[])(await command.ExecuteScalarAsync(ct))!;
        }, cancellationToken);
}
