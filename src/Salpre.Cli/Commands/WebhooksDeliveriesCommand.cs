using System.CommandLine;
using Salpre.Cli.Output;
using Salpre.Client;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre webhooks deliveries ID</c>: an endpoint's deliveries, newest first, with their attempts.</summary>
public static class WebhooksDeliveriesCommand
{
    public static Command Create(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The endpoint's id (wh_1)." };
        var perPage = new Option<int?>("--per-page") { Description = "Deliveries a page, 1 to 100 (the API's default is 10)." };
        var cursor = new Option<string?>("--cursor") { Description = "Continue after a page: its next_cursor." };
        var format = CliContext.Format("table", "json");
        var command = new Command("deliveries", "List an endpoint's deliveries, newest first: status, attempts, the last answer (json: every attempt).")
        {
            id, perPage, cursor, format,
        };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var options = new WebhookDeliveryListOptions { PerPage = parse.GetValue(perPage), Cursor = parse.GetValue(cursor) };
            var page = await client.Webhooks.ListDeliveriesAsync(parse.GetValue(id)!, options, cancellationToken);
            var output = context.Environment.Out;
            if (parse.GetValue(format) == "json")
            {
                await JsonOutput.WritePageAsync(output, page, SalpreJsonContext.Default.ListWebhookDelivery);
            }
            else
            {
                context.Environment.ConsoleOver(output, context.Environment.OutIsTerminal).Write(WebhookTables.Deliveries(page.Items));
                await context.Environment.Error.WriteLineAsync(JsonOutput.PageSummary(page, "delivery", "deliveries"));
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
