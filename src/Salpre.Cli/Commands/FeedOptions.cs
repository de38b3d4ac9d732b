using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Salpre.Client;

namespace Salpre.Cli.Commands;

/// <summary>
/// What the commands that read the events feed share: <c>--types</c> and <c>--after</c>, and, for those that follow
/// it (<c>events tail</c>, <c>listen</c>), <c>--interval</c> and the loop that follows until Ctrl-C.
/// </summary>
public sealed class FeedOptions
{
    public Option<string[]> Types { get; } = new("--types", "--type")
    {
        Description = $"Only these event types, comma-separated or repeated: {string.Join(", ", EventTypes.All)}.",
        CustomParser = result => ParseTypes(result, "--types"),
    };

    public Option<string?> After { get; } = new("--after") { Description = "Start after this event (evt_...)." };

    public Option<double> Interval { get; } = new Option<double>("--interval")
    {
        Description = "Seconds between polls of the feed once caught up (default 1).",
        DefaultValueFactory = _ => 1,
    };

    public FeedOptions() =>
        Interval.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (> 0 and <= 3600))
            {
                result.AddError("--interval: between 0 and 3600 seconds.");
            }
        });

    /// <summary>The feed's options as given.</summary>
    public EventListOptions ToListOptions(ParseResult parse) => new()
    {
        After = parse.GetValue(After),
        Types = parse.GetValue(Types) is { Length: > 0 } types ? types : null,
    };

    /// <summary>
    /// Follows the feed and hands each event to <paramref name="handle"/> until Ctrl-C, which ends it cleanly (exit
    /// 0) with the id to resume after. It starts after <c>--after</c> or, without it, after the newest event now
    /// (one newest-first read), first handing the <paramref name="keep"/> events before that.
    /// </summary>
    public async Task<int> FollowAsync(
        SalpreClient client, ParseResult parse, CliEnvironment environment, int keep, Func<SalpreEvent, CancellationToken, Task> handle,
        Func<string?, Task> ready, CancellationToken cancellationToken)
    {
        var options = ToListOptions(parse);
        string? last = null;
        var handled = 0L;
        try
        {
            if (options.After is null)
            {
                // The newest events, read newest first, handed oldest first; following starts after the newest.
                var recent = new List<SalpreEvent>();
                await foreach (var item in client.Events.ListAllAsync(options with { PerPage = Math.Clamp(keep, 1, 100), NewestFirst = true }, cancellationToken))
                {
                    recent.Add(item);
                    if (recent.Count >= Math.Max(keep, 1))
                    {
                        break;
                    }
                }
                for (var i = Math.Min(keep, recent.Count) - 1; i >= 0; i--)
                {
                    await handle(recent[i], cancellationToken);
                }
                options = options with { After = recent.FirstOrDefault()?.Id };
            }
            last = options.After;
            await ready(last);
            var interval = TimeSpan.FromSeconds(parse.GetValue(Interval));
            await foreach (var item in client.Events.FollowAsync(options with { PerPage = 100 }, interval, cancellationToken))
            {
                await handle(item, cancellationToken);
                last = item.Id;
                handled++;
            }
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await environment.Error.WriteLineAsync(
                $"Stopped after {handled.ToString("N0", CultureInfo.InvariantCulture)} new events." + (last is null ? "" : $" Resume with --after {last}"));
            return ExitCodes.Success;
        }
    }

    private static string[] ParseTypes(ArgumentResult result, string name)
    {
        var types = result.Tokens.SelectMany(token => token.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray();
        if (types.FirstOrDefault(type => !EventTypes.All.Contains(type, StringComparer.Ordinal)) is { } unknown)
        {
            result.AddError($"{name}: '{unknown}' is not valid (one of {string.Join(", ", EventTypes.All)}).");
            return [];
        }
        return types;
    }
}
