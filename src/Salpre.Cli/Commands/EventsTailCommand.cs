using System.CommandLine;
using Salpre.Cli.Output;

namespace Salpre.Cli.Commands;

/// <summary>
/// <c>salpre events tail</c>: the last events, then each new one as it arrives (the feed polled after the last id),
/// as aligned lines or NDJSON, until Ctrl-C.
/// </summary>
public static class EventsTailCommand
{
    public static Command Create(CliContext context)
    {
        var feed = new FeedOptions();
        var last = new Option<int>("--last", "-n")
        {
            Description = "How many of the newest events to print before following (default 10; ignored with --after).",
            DefaultValueFactory = _ => 10,
        };
        last.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 10_000)
            {
                result.AddError("--last: 0 to 10000.");
            }
        });
        var format = CliContext.Format("table", "ndjson");
        var command = new Command("tail", "Follow the events feed: the newest events, then each new one as it arrives, until Ctrl-C.")
        {
            feed.Types, feed.After, last, feed.Interval, format,
        };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var output = context.Environment.Out;
            var ndjson = parse.GetValue(format) == "ndjson";
            if (!ndjson)
            {
                await output.WriteLineAsync(EventLines.Header);
            }
            return await feed.FollowAsync(
                client, parse, context.Environment, parse.GetValue(last),
                async (item, _) => await output.WriteLineAsync(ndjson ? item.RawJson : EventLines.Line(item)),
                after => context.Environment.Error.WriteLineAsync($"Following the feed after {after ?? "its start"} (Ctrl-C to stop)."),
                cancellationToken);
        }));
        return command;
    }
}
