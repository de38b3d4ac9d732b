using System.CommandLine;
using Salpre.Cli.Output;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre calls erase --phone NUMBER</c>: deletes every call of a phone number (a person's "forget me").</summary>
public static class CallsEraseCommand
{
    public static Command Create(CliContext context)
    {
        var phone = new Option<string>("--phone") { Description = "The number, E.164 (+905321234567): every call with it as from or to goes.", Required = true };
        var format = CliContext.Format("text", "json");
        var command = new Command("erase", "Delete every call of a phone number, each as 'calls delete' does (a write key).") { phone, format };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var erased = await client.Calls.EraseAsync(parse.GetValue(phone)!, cancellationToken);
            if (parse.GetValue(format) == "json")
            {
                // The API's data object: there is no client type for one count.
                await JsonOutput.WriteAsync(context.Environment.Out, json =>
                {
                    json.WriteStartObject();
                    json.WriteNumber("calls_erased", erased);
                    json.WriteEndObject();
                });
            }
            else
            {
                await context.Environment.Error.WriteLineAsync($"Erased {erased} {(erased == 1 ? "call" : "calls")}.");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
