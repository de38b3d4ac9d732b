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
