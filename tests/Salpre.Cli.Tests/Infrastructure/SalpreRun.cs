using Salpre.Cli;

namespace Salpre.Client.Tests.Infrastructure;

/// <summary>What one run of <c>salpre</c> did.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public IReadOnlyList<string> OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs <c>salpre</c> in process with captured streams and its own environment variables.</summary>
public static class SalpreRun
{
    public static async Task<CliResult> RunAsync(
        IReadOnlyDictionary<string, string> variables, string[] args, CancellationToken? cancellationToken = null, bool errorIsTerminal = false)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(output, error, name => variables.GetValueOrDefault(name), OutIsTerminal: false, errorIsTerminal);
        var exitCode = await SalpreCli.RunAsync(args, environment, cancellationToken ?? TestContext.Current.CancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The variables that point <c>salpre</c> at <paramref name="gateway"/> with <paramref name="key"/>.</summary>
    public static Dictionary<string, string> For(GatewayServer gateway, string key) => new()
    {
        ["SALPRE_API_KEY"] = key,
        ["SALPRE_BASE_URL"] = gateway.BaseAddress.ToString(),
    };
}

/// <summary>
/// A run of <c>salpre</c> that goes on until stopped (<c>events tail</c>, <c>listen</c>): its output read as it
/// grows, then Ctrl-C (the cancellation the process's Ctrl-C handler makes) and its end.
/// </summary>
public sealed class RunningCli : IAsyncDisposable
{
    private readonly LockedWriter _out = new();
    private readonly LockedWriter _error = new();
    private readonly CancellationTokenSource _interrupt = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private readonly Task<int> _run;

    private RunningCli(IReadOnlyDictionary<string, string> variables, string[] args)
    {
        var environment = new CliEnvironment(_out, _error, name => variables.GetValueOrDefault(name), OutIsTerminal: false, ErrorIsTerminal: false);
        _run = Task.Run(() => SalpreCli.RunAsync(args, environment, _interrupt.Token));
    }

    public static RunningCli Start(IReadOnlyDictionary<string, string> variables, params string[] args) => new(variables, args);

    public string Out => _out.ToString();

    public string Error => _error.ToString();

    public IReadOnlyList<string> OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Waits until <paramref name="done"/> holds, failing with what was printed if the run ended or time ran out first.</summary>
    public async Task WaitForAsync(Func<RunningCli, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!done(this))
        {
            if (_run.IsCompleted || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"salpre did not print {what}{(_run.IsCompleted ? $" (it ended with {await _run})" : "")}.\nstdout:\n{Out}\nstderr:\n{Error}");
            }
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public Task WaitForLinesAsync(int count) => WaitForAsync(run => run.OutLines.Count >= count, $"{count} lines");

    /// <summary>Ctrl-C, then what the run did.</summary>
    public async Task<CliResult> StopAsync()
    {
        await _interrupt.CancelAsync();
        var exitCode = await _run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        return new CliResult(exitCode, Out, Error);
    }

    public async ValueTask DisposeAsync()
    {
        await _interrupt.CancelAsync();
        await ((Task)_run).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _interrupt.Dispose();
        _out.Dispose();
        _error.Dispose();
    }

    /// <summary>A string writer that may be written by the command and read by the test at once.</summary>
    private sealed class LockedWriter : StringWriter
    {
        private readonly Lock _lock = new();

        public override void Write(char value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_lock)
            {
                base.Write(buffer, index, count);
            }
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            lock (_lock)
            {
                base.Write(buffer);
            }
        }

        public override void Write(string? value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_lock)
            {
                base.WriteLine(value);
            }
        }

        public override void WriteLine(ReadOnlySpan<char> buffer)
        {
            lock (_lock)
            {
                base.WriteLine(buffer);
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return base.ToString();
            }
        }
    }
}
