using System.CommandLine;
using Salpre.Cli.Output;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre events list</c>: one page of the events feed, oldest first, as a table, JSON or NDJSON.</summary>
public static class EventsListCommand
{
    public static Command Create(CliContext context)
    {
        var feed = new FeedOptions();
        var perPage = new Option<int?>("--per-page") { Description = "Events a page, 1 to 100 (the API's default is 10)." };
        var cursor = new Option<string?>("--cursor") { Description = "Continue after a page: its next_cursor." };
        var format = CliContext.Format("table", "json", "ndjson");
        var command = new Command("list", "List one page of the account's events, oldest first (from the oldest kept, or after --after).")
        {
            feed.Types, feed.After, perPage, cursor, format,
        };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var options = feed.ToListOptions(parse) with { PerPage = parse.GetValue(perPage), Cursor = parse.GetValue(cursor) };
            var page = await client.Events.ListAsync(options, cancellationToken);
            var output = context.Environment.Out;
            switch (parse.GetValue(format))
            {
                case "json":
                    await JsonOutput.WritePageAsync(output, page, SalpreJsonContext.Default.ListSalpreEvent);
                    break;
                case "ndjson":
                    foreach (var item in page.Items)
                    {
                        await output.WriteLineAsync(item.RawJson);
                    }
                    break;
                default:
                    context.Environment.ConsoleOver(output, context.Environment.OutIsTerminal).Write(EventLines.Table(page.Items));
                    await context.Environment.Error.WriteLineAsync(JsonOutput.PageSummary(page, "event", "events"));
                    break;
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
