using System.CommandLine;
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
            await context.WriteAsync(parse.GetValue(format), [.. entries], SalpreJsonContext.Default.ListCallLogEntry, Tables.Logs);
            return ExitCodes.Success;
        }));
        return command;
    }
}
