using System.CommandLine;
using System.Text.Json;
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
            if (parse.GetValue(format) == "json")
            {
                await JsonOutput.WriteAsync(context.Environment.Out, json => JsonSerializer.Serialize(json, [.. devices], SalpreJsonContext.Default.ListDevice));
            }
            else
            {
                context.Environment.ConsoleOver(context.Environment.Out, context.Environment.OutIsTerminal).Write(Tables.Devices(devices));
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
