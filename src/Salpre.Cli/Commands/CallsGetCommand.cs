using System.CommandLine;
using Salpre.Cli.Output;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre calls get ID</c>: a call's details.</summary>
public static class CallsGetCommand
{
    public static Command Create(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The call_id (c874) or its number (874)." };
        var format = CliContext.Format("table", "json");
        var command = new Command("get", "Show a call's details: recording, transcript and variables.") { id, format };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var call = await client.Calls.GetAsync(parse.GetValue(id)!, cancellationToken);
            await context.WriteAsync(parse.GetValue(format), call, SalpreJsonContext.Default.CallDetails, Tables.Details);
            return ExitCodes.Success;
        }));
        return command;
    }
}
