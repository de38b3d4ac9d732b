using System.CommandLine;
using System.Text.Json;
using Salpre.Cli.Output;
using Salpre.Client;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre calls make</c>: a Salpre Box places a call.</summary>
public static class CallsMakeCommand
{
    public static Command Create(CliContext context)
    {
        var from = new Option<string>("--from") { Description = "The box: salprebox:SERIAL_NO.", Required = true };
        var to = new Option<string>("--to") { Description = "The number to call, E.164 (+905321234567).", Required = true };
        var agent = new Option<long>("--agent") { Description = "The AI agent's id.", Required = true };
        var key = new Option<string?>("--idempotency-key") { Description = "Makes running the command again safe: the same key gets the first answer (default: a fresh key)." };
        var format = CliContext.Format("text", "json");
        var command = new Command("make", "Have a Salpre Box of the account place a call.") { from, to, agent, key, format };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var request = new MakeCallRequest(parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(agent)) { IdempotencyKey = parse.GetValue(key) };
            var call = await client.Calls.MakeAsync(request, cancellationToken);
            if (parse.GetValue(format) == "json")
            {
                await JsonOutput.WriteAsync(context.Environment.Out, json => JsonSerializer.Serialize(json, call, SalpreJsonContext.Default.MadeCall));
            }
            else
            {
                await context.Environment.Out.WriteLineAsync(call.CallId);
                await context.Environment.Error.WriteLineAsync($"Call {call.CallId} {call.Status.ToWire()}: {call.From} -> {call.To}, agent {call.AgentId}{(call.Replayed ? " (replayed: this key was used before)" : "")}.");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
