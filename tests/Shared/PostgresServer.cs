using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Salpre.Storage;
using Salpre.Storage.Postgres;

namespace Salpre.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL server for one test run, started from the machine's binaries on first use: a temporary
/// data directory, a free loopback port, unix sockets in the directory. Every test gets its own database, copied
/// from a migrated template. It fails loudly when it cannot start; it never skips. When the run ends (or the test
/// process dies, through a watchdog), the server is stopped and its directory removed.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string Template = "salpre_template";
    private static readonly Lazy<Task<PostgresServer>> s_shared = new(StartAsync);

    private readonly string _directory;
    private readonly string _binaries;
    private readonly Process _watchdog;
    private int _databases;

    private PostgresServer(string directory, string binaries, int port, Process watchdog)
    {
        _directory = directory;
        _binaries = binaries;
        _watchdog = watchdog;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The run's server, started by the first test that asks.</summary>
    public static Task<PostgresServer> SharedAsync() => s_shared.Value;

    /// <summary>A server of the caller's own, for tests that stop and start it; the caller disposes it.</summary>
    public static Task<PostgresServer> StartOwnAsync() => StartAsync();

    /// <summary>Stops the server as a crash would (immediate shutdown: no checkpoint, clients cut off).</summary>
    public Task StopAsync() => RunAsync(_binaries, "pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);

    /// <summary>Starts a stopped server again on the same port and data; it recovers from its write-ahead log.</summary>
    public Task StartAgainAsync() =>
        RunAsync(_binaries, "pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60", "start"]);

    /// <summary>Stops the run's server if one was started (the assembly fixture calls this at the end).</summary>
    public static async Task StopSharedAsync()
    {
        if (s_shared.IsValueCreated && s_shared.Value.IsCompletedSuccessfully)
        {
            await s_shared.Value.Result.DisposeAsync();
        }
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=30;Command Timeout=60";

    /// <summary>A new database with the migrated schema; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = $"test_{Interlocked.Increment(ref _databases)}";
        await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {Template}", cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>A new database with no schema at all, for tests of migration itself.</summary>
    public async Task<string> CreateEmptyDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = $"empty_{Interlocked.Increment(ref _databases)}";
        await ExecuteAsync($"CREATE DATABASE {name}", cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>Drops a database made here, closing whatever connections are still open to it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", CancellationToken.None);
    }

    /// <summary>The files that hold a database's rows: its own relations, and the write-ahead log.</summary>
    public async Task<IReadOnlyList<string>> DatabaseFilesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT oid FROM pg_database WHERE datname = current_database()", connection);
        var oid = Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
        return [.. Directory.GetFiles(Path.Combine(DataDirectory, "base", oid)), .. Directory.GetFiles(Path.Combine(DataDirectory, "pg_wal"))];
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsync(_binaries, "pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], allowFailure: true);
        if (!_watchdog.HasExited)
        {
            _watchdog.Kill(entireProcessTree: true);
        }
        _watchdog.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    private static async Task<PostgresServer> StartAsync()
    {
        var binaries = FindBinaries();
        var directory = Directory.CreateTempSubdirectory("salpre-pg-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "sock"));
        if (IsRoot)
        {
            // PostgreSQL refuses to run as root: the cluster belongs to the postgres user that Debian's package made.
            await RunAsync(null, "chown", ["-R", "postgres:", directory]);
        }
        var data = Path.Combine(directory, "data");
        await RunAsync(binaries, "initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        var port = FreePort();
        await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            port = {port}
            unix_socket_directories = '{Path.Combine(directory, "sock")}'
            max_connections = 300
            """);
        var watchdog = StartWatchdog(binaries, directory);
        var server = new PostgresServer(directory, binaries, port, watchdog);
        try
        {
            await RunAsync(binaries, "pg_ctl", ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "start"]);
            await server.CreateTemplateAsync();
            return server;
        }
        catch (Exception exception)
        {
            var log = Path.Combine(directory, "server.log");
            var tail = File.Exists(log) ? await File.ReadAllTextAsync(log) : "(no server log)";
            await server.DisposeAsync();
            throw new InvalidOperationException($"The test PostgreSQL server did not start: {exception.Message}\n{tail}", exception);
        }
    }

    private async Task CreateTemplateAsync()
    {
        await ExecuteAsync($"CREATE DATABASE {Template}", CancellationToken.None);
        // No pooling: CREATE DATABASE ... TEMPLATE needs the template to have no open connection.
        await using var database = new PostgresDatabase(new StorageOptions { Provider = "postgres", ConnectionString = ConnectionString(Template) + ";Pooling=false" });
        await database.MigrateAsync(CancellationToken.None);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>initdb, pg_ctl and postgres: from /usr/lib/postgresql/*/bin (newest first), pg_config --bindir, or PATH.</summary>
    private static string FindBinaries()
    {
        var candidates = new List<string>();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }
        if (TryRun("pg_config", "--bindir") is { } bindir)
        {
            candidates.Add(bindir);
        }
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(d => new[] { "initdb", "pg_ctl", "postgres" }.All(tool => File.Exists(Path.Combine(d, tool))))
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found in /usr/lib/postgresql/*/bin, pg_config --bindir " +
                "or PATH. Install them (Debian: apt-get install postgresql) to run the PostgreSQL tests.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A shell that outlives a killed test process: once this process is gone it stops the server and removes the
    /// directory, so that no postgres is left behind.
    /// </summary>
    private static Process StartWatchdog(string binaries, string directory)
    {
        var stop = $"{AsPostgres}'{Path.Combine(binaries, "pg_ctl")}' -D '{Path.Combine(directory, "data")}' -m immediate -w stop";
        var script = $"while [ -d /proc/{Environment.ProcessId} ]; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{directory}'";
        var start = new ProcessStartInfo("setsid", ["sh", "-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the PostgreSQL watchdog (setsid, sh).");
    }

    private static string AsPostgres => IsRoot ? "runuser -u postgres -- " : "";

    private static async Task RunAsync(string? binaries, string tool, string[] arguments, bool allowFailure = false)
    {
        var path = binaries is null ? tool : Path.Combine(binaries, tool);
        var start = IsRoot && binaries is not null
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", path, .. arguments])
            : new ProcessStartInfo(path, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"Could not run {start.FileName}, which the PostgreSQL tests need (as root also runuser, util-linux).", exception);
        }
        using var _ = process;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 && !allowFailure)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static string? TryRun(string tool, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
            var output = process?.StandardOutput.ReadToEnd().Trim();
            process?.WaitForExit();
            return process?.ExitCode == 0 && !string.IsNullOrEmpty(output) ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }
    }
}

/// <summary>Stops the run's PostgreSQL server, if a test started it, when the assembly's tests end.</summary>
public sealed class PostgresServerLifetime : IAsyncDisposable
{
    public ValueTask DisposeAsync() => new(PostgresServer.StopSharedAsync());
}
