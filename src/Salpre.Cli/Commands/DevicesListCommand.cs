using System.CommandLine;
using Salpre.Cli.Output;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre devices list</c>: the account's Salpre Boxes.</summary>
public static class DevicesListCommand
{
    public static Command Create(CliContext context)
    {
        var format = CliContext.Format("table", "json");
        var command = new Command("list", "List the account's Salpre Boxes.") { format };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var devices = await client.Devices.ListAsync(cancellationToken);
            await context.WriteAsync(parse.GetValue(format), [.. devices], SalpreJsonContext.Default.ListDevice, Tables.Devices);
            return ExitCodes.Success;
        }));
        return command;
    }
}
