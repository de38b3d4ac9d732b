using System.CommandLine;
using System.Text.Json;
using Salpre.Cli.Output;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre calls delete ID</c>: deletes a call; a <c>call.deleted</c> event tells the feed and webhooks.</summary>
public static class CallsDeleteCommand
{
    public static Command Create(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The call_id (c874) or its number (874)." };
        var format = CliContext.Format("text", "json");
        var command = new Command("delete", "Delete a call with its details and logs (a write key); the events feed and webhooks get call.deleted.") { id, format };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var deletion = await client.Calls.DeleteAsync(parse.GetValue(id)!, cancellationToken);
            if (parse.GetValue(format) == "json")
            {
                await JsonOutput.WriteAsync(context.Environment.Out, json => JsonSerializer.Serialize(json, deletion, SalpreJsonContext.Default.CallDeletion));
            }
            else
            {
                await context.Environment.Error.WriteLineAsync($"Deleted call {deletion.CallId}.");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
