using System.CommandLine;
using System.Text.Json;
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
            if (parse.GetValue(format) == "json")
            {
                await JsonOutput.WriteAsync(context.Environment.Out, json => JsonSerializer.Serialize(json, call, SalpreJsonContext.Default.CallDetails));
            }
            else
            {
                context.Environment.ConsoleOver(context.Environment.Out, context.Environment.OutIsTerminal).Write(Tables.Details(call));
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
