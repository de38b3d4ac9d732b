using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Salpre.Cli.Commands;
using Salpre.Cli.Output;
using Salpre.Client;
using Spectre.Console.Rendering;

namespace Salpre.Cli;

/// <summary>
/// The <c>salpre</c> command: data on stdout, one clear line on stderr for a failure, and an exit code per kind of
/// failure (<see cref="ExitCodes"/>).
/// </summary>
public static class SalpreCli
{
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var context = new CliContext(environment, new GlobalOptions());
        var root = new RootCommand("Salpre's gateway API from the command line: list, count, export, inspect, place and delete calls; follow events and manage webhooks.")
        {
            new Command("calls", "The account's calls.")
            {
                CallsListCommand.Create(context),
                CallsStatsCommand.Create(context),
                CallsGetCommand.Create(context),
                CallsLogsCommand.Create(context),
                CallsMakeCommand.Create(context),
                CallsExportCommand.Create(context),
                CallsDeleteCommand.Create(context),
                CallsEraseCommand.Create(context),
            },
            new Command("devices", "The account's Salpre Boxes.") { DevicesListCommand.Create(context) },
            new Command("events", "The account's events feed: every change of a call, oldest first.")
            {
                EventsListCommand.Create(context),
                EventsTailCommand.Create(context),
            },
            new Command("webhooks", "The account's webhook endpoints and their deliveries.")
            {
                WebhooksListCommand.Create(context),
                WebhooksCreateCommand.Create(context),
                WebhooksDeleteCommand.Create(context),
                WebhooksRotateCommand.Create(context),
                WebhooksDeliveriesCommand.Create(context),
                WebhooksRetryCommand.Create(context),
            },
            ListenCommand.Create(context),
        };
        root.Options.Add(context.Global.ApiKey);
        root.Options.Add(context.Global.BaseUrl);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await environment.Error.WriteLineAsync($"salpre: {error.Message}");
            }
            await environment.Error.WriteLineAsync("Run 'salpre --help' for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = environment.Out,
                    Error = environment.Error,
                    EnableDefaultExceptionHandler = false,
                    ProcessTerminationTimeout = null,
                },
                cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await environment.Error.WriteLineAsync("salpre: interrupted");
            return ExitCodes.Interrupted;
        }
        catch (SalpreApiException exception)
        {
            await environment.Error.WriteLineAsync($"salpre: {Describe(exception)}");
            return ExitCodeOf(exception);
        }
        catch (IOException exception)
        {
            await environment.Error.WriteLineAsync($"salpre: {exception.Message}");
            return ExitCodes.Failed;
        }
    }

    public static int ExitCodeOf(SalpreApiException exception) => exception.StatusCode switch
    {
        null => ExitCodes.Unreachable,
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.Unauthorized,
        HttpStatusCode.NotFound => ExitCodes.NotFound,
        _ => ExitCodes.Failed,
    };

    /// <summary>The server's message, then what identifies the failure: status, code, parameter, request id.</summary>
    public static string Describe(SalpreApiException exception)
    {
        var facts = new List<string>();
        if (exception.StatusCode is { } status)
        {
            facts.Add($"HTTP {(int)status}");
        }
        if (exception.Code is { } code)
        {
            facts.Add(code);
        }
        if (exception.Param is { } param)
        {
            facts.Add($"param {param}");
        }
        if (exception.RequestId is { } requestId)
        {
            facts.Add($"request {requestId}");
        }
        return facts.Count == 0 ? exception.Message : $"{exception.Message} ({string.Join(", ", facts)})";
    }
}

/// <summary>What every command needs: the outside world and the options common to all.</summary>
public sealed record CliContext(CliEnvironment Environment, GlobalOptions Global)
{
    /// <summary>Runs <paramref name="action"/> with a client, or fails with a usage error when no key was given.</summary>
    public Func<ParseResult, CancellationToken, Task<int>> WithClient(Func<SalpreClient, ParseResult, CancellationToken, Task<int>> action) =>
        async (parse, cancellationToken) =>
        {
            using var client = Global.CreateClient(parse, Environment, out var problem);
            if (client is null)
            {
                await Environment.Error.WriteLineAsync($"salpre: {problem}");
                return ExitCodes.Usage;
            }
            return await action(client, parse, cancellationToken);
        };

    /// <summary>One answer on stdout: in the API's own JSON for <c>--format json</c>, else as <paramref name="render"/> draws it for people.</summary>
    public async Task WriteAsync<T>(string? format, T value, JsonTypeInfo<T> json, Func<T, IRenderable> render)
    {
        if (format == "json")
        {
            await JsonOutput.WriteAsync(Environment.Out, writer => JsonSerializer.Serialize(writer, value, json));
        }
        else
        {
            Environment.ConsoleOver(Environment.Out, Environment.OutIsTerminal).Write(render(value));
        }
    }

    /// <summary>A <c>--format</c> option limited to <paramref name="formats"/>, the first being the default.</summary>
    public static Option<string> Format(params string[] formats) =>
        new Option<string>("--format")
        {
            Description = $"Output format: {string.Join(", ", formats)} (default {formats[0]}).",
            DefaultValueFactory = _ => formats[0],
        }.AcceptOnlyFromAmong(formats);
}
