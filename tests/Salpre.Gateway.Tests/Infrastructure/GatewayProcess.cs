using System.Diagnostics;
using System.Text;

namespace Salpre.Gateway.Tests.Infrastructure;

/// <summary>
/// The gateway as a user runs it: <c>dotnet Salpre.Gateway.dll</c> from the project's own build output, in its own
/// process, on a loopback port, with its output captured line by line.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _gate = new();

    private GatewayProcess(Process process) => _process = process;

    public string Output
    {
        get { lock (_gate) return _output.ToString(); }
    }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static string GatewayDll()
    {
        // The tests run from tests/<project>/bin/<Configuration>/net10.0/.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = Path.Combine(RepositoryRoot(), "src", "Salpre.Gateway", "bin", configuration, "net10.0", "Salpre.Gateway.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the gateway first: {dll} is missing.");
    }

    /// <summary>The checkout the tests run from (the folder with Salpre.slnx).</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Salpre.slnx")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("The tests run outside the repository.");
    }

    /// <summary>
    /// Starts the gateway with <paramref name="environment"/> on a SQLite file in <paramref name="folder"/>, expects it
    /// to refuse to start (exit code 1) with <paramref name="message"/> in one line and no stack trace.
    /// </summary>
    public static async Task AssertRefusesToStartAsync(string folder, IReadOnlyDictionary<string, string> environment, string message)
    {
        var settings = new Dictionary<string, string>(environment) { ["Storage__ConnectionString"] = $"Data Source={Path.Combine(folder, "salpre.db")}" };
        await using var process = Start(folder, settings, "--urls", "http://127.0.0.1:0");
        Xunit.Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Xunit.Assert.Contains(message, process.Output, StringComparison.Ordinal);
        Xunit.Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    /// <summary>The gateway on the SQLite file <paramref name="database"/> with its rate limits out of the way, for tests that load it.</summary>
    public static GatewayProcess StartUnlimited(string workingDirectory, string database) => Start(workingDirectory, new Dictionary<string, string>
    {
        ["Storage__ConnectionString"] = $"Data Source={database}",
        ["MakeCall__CallsPerSecond"] = "100000",
        ["MakeCall__Burst"] = "100000",
        ["RateLimiting__RequestsPerSecond"] = "100000",
        ["RateLimiting__Burst"] = "100000",
    }, "--urls", "http://127.0.0.1:0");

    /// <summary>A client of a gateway process that sends <paramref name="key"/>.</summary>
    public static HttpClient KeyClient(Uri address, string key, TimeSpan timeout)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = timeout };
        client.DefaultRequestHeaders.Add("account-secret-key", key);
        return client;
    }

    /// <summary>A heartbeat of box <paramref name="serial"/>, so that make-call finds it connected.</summary>
    public static async Task HeartbeatAsync(Uri address, string ingestKey, string serial)
    {
        using var box = KeyClient(address, ingestKey, TimeSpan.FromSeconds(30));
        using var body = new StringContent($$"""{"serial_no":"{{serial}}"}""", Encoding.UTF8, "application/json");
        using var beat = await box.PostAsync("/api/gateway/v1/salprebox/heartbeat", body);
        Xunit.Assert.Equal(System.Net.HttpStatusCode.OK, beat.StatusCode);
    }

    public static GatewayProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        StartCommand(workingDirectory, environment.ToDictionary(pair => pair.Key, string? (pair) => pair.Value), "dotnet", [GatewayDll(), .. args]);

    /// <summary>Starts any command line (a README's, say) as the gateway's process; environment values of null are removed.</summary>
    public static GatewayProcess StartCommand(string workingDirectory, IReadOnlyDictionary<string, string?> environment, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = new GatewayProcess(Process.Start(start)!);
        process._process.OutputDataReceived += (_, e) => process.Append(e.Data);
        process._process.ErrorDataReceived += (_, e) => process.Append(e.Data);
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits for an output line that starts with <paramref name="prefix"/>.</summary>
    public Task<string> WaitForLineAsync(string prefix, TimeSpan timeout) =>
        WaitForOutputAsync(output => output.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?.TrimEnd('\r'),
            timeout, $"a line starting with '{prefix}'");

    /// <summary>Waits for the address Kestrel reports it listens on.</summary>
    public async Task<Uri> WaitForAddressAsync(TimeSpan timeout) => new(await WaitForOutputAsync(
        output => System.Text.RegularExpressions.Regex.Match(output, "Now listening on: (https?://127\\.0\\.0\\.1:[0-9]+)") is { Success: true } match ? match.Groups[1].Value : null,
        timeout, "listening"));

    /// <summary>Polls the output until <paramref name="find"/> finds something; a process that exited has all its output read first.</summary>
    private async Task<string> WaitForOutputAsync(Func<string, string?> find, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var exited = _process.HasExited;
            if (exited)
            {
                await _process.WaitForExitAsync();
            }
            if (find(Output) is { } found)
            {
                return found;
            }
            if (exited)
            {
                throw new InvalidOperationException($"The gateway exited with {_process.ExitCode} before {what}:\n{Output}");
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"No {what} within {timeout}:\n{Output}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Waits for the process to exit by itself and for the last of its output; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the process outright (SIGKILL), as a crash or a power cut would stop it.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Asks the process to stop as a service manager would (SIGTERM) and waits for it.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_gate) _output.AppendLine(line);
    }
}

/// <summary>Runs a command line the way a user's shell would, and captures what it prints.</summary>
public static class Shell
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"'{file}' is needed by this test and could not be started; install it (see .ci/run).", exception);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await error);
        }
    }
}
