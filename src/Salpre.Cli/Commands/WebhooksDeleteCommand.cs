using System.CommandLine;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre webhooks delete ID</c>: deletes an endpoint; what was pending for it is never sent.</summary>
public static class WebhooksDeleteCommand
{
    public static Command Create(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The endpoint's id (wh_1)." };
        var command = new Command("delete", "Delete a webhook endpoint; its pending deliveries are never sent.") { id };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var webhookId = parse.GetValue(id)!;
            await client.Webhooks.DeleteAsync(webhookId, cancellationToken);
            await context.Environment.Error.WriteLineAsync($"Deleted {webhookId}; what was pending for it will not be sent.");
            return ExitCodes.Success;
        }));
        return command;
    }
}
