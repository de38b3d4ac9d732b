using System.CommandLine;
using System.Text.Json;
using Salpre.Cli.Output;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre calls logs ID</c>: a call's status reports, oldest first.</summary>
public static class CallsLogsCommand
{
    public static Command Create(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The call_id (c874) or its number (874)." };
        var format = CliContext.Format("table", "json");
        var command = new Command("logs", "Show a call's status reports, oldest first.") { id, format };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var entries = await client.Calls.GetLogsAsync(parse.GetValue(id)!, cancellationToken);
            if (parse.GetValue(format) == "json")
            {
                await JsonOutput.WriteAsync(context.Environment.Out, json => JsonSerializer.Serialize(json, [.. entries], SalpreJsonContext.Default.ListCallLogEntry));
            }
            else
            {
                context.Environment.ConsoleOver(context.Environment.Out, context.Environment.OutIsTerminal).Write(Tables.Logs(entries));
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
