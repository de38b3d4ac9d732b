using System.CommandLine;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre webhooks rotate ID</c>: a new signing secret; for 24 hours both sign.</summary>
public static class WebhooksRotateCommand
{
    public static Command Create(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The endpoint's id (wh_1)." };
        var format = CliContext.Format("table", "json");
        var command = new Command("rotate", "Give an endpoint a new signing secret (printed, shown only now); for 24 hours the old one signs too.") { id, format };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var webhook = await client.Webhooks.RotateSecretAsync(parse.GetValue(id)!, cancellationToken);
            await WebhooksCreateCommand.WriteWithSecretAsync(context, parse.GetValue(format)!, webhook);
            return ExitCodes.Success;
        }));
        return command;
    }
}
