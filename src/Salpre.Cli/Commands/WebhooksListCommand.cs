using System.CommandLine;
using Salpre.Cli.Output;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre webhooks list</c>: the account's webhook endpoints (never their secrets).</summary>
public static class WebhooksListCommand
{
    public static Command Create(CliContext context)
    {
        var format = CliContext.Format("table", "json");
        var command = new Command("list", "List the account's webhook endpoints.") { format };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var webhooks = await client.Webhooks.ListAsync(cancellationToken);
            await context.WriteAsync(parse.GetValue(format), [.. webhooks], SalpreJsonContext.Default.ListWebhook, WebhookTables.Webhooks);
            return ExitCodes.Success;
        }));
        return command;
    }
}
