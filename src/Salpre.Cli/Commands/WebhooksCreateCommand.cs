using System.CommandLine;
using Salpre.Cli.Output;
using Salpre.Client;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre webhooks create</c>: a new endpoint, with its signing secret (shown only now).</summary>
public static class WebhooksCreateCommand
{
    public static Command Create(CliContext context)
    {
        var feed = new FeedOptions();
        var url = new Option<string>("--url") { Description = "Where to send events: an https URL.", Required = true };
        var description = new Option<string?>("--description") { Description = "What it is for." };
        var maxInFlight = new Option<int?>("--max-in-flight") { Description = "Deliveries in flight at once, 1 to 100 (the gateway's default is 4)." };
        var format = CliContext.Format("table", "json");
        var command = new Command("create", "Create a webhook endpoint (default types: every call.* type); prints its secret, shown only now.")
        {
            url, feed.Types, description, maxInFlight, format,
        };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var request = new WebhookCreateRequest(parse.GetValue(url)!)
            {
                EventTypes = parse.GetValue(feed.Types) is { Length: > 0 } types ? types : null,
                Description = parse.GetValue(description),
                MaxInFlight = parse.GetValue(maxInFlight),
            };
            var webhook = await client.Webhooks.CreateAsync(request, cancellationToken);
            await WriteWithSecretAsync(context, parse.GetValue(format)!, webhook);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>An endpoint whose answer carries its secret (creation, rotation): the endpoint, and on stderr a word to keep the secret.</summary>
    public static async Task WriteWithSecretAsync(CliContext context, string format, Webhook webhook)
    {
        await context.WriteAsync(format, webhook, SalpreJsonContext.Default.Webhook, WebhookTables.Webhook);
        await context.Environment.Error.WriteLineAsync($"Keep the secret of {webhook.Id} now: it is never shown again. Receivers verify its signatures with it.");
    }
}
