using System.CommandLine;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre webhooks retry ID DELIVERY_ID</c>: sends a delivery again now.</summary>
public static class WebhooksRetryCommand
{
    public static Command Create(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The endpoint's id (wh_1)." };
        var delivery = new Argument<string>("delivery-id") { Description = "The delivery's id (dlv_12), as deliveries lists it." };
        var command = new Command("retry", "Send a delivery (a failed one, say) again now.") { id, delivery };
        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var (webhookId, deliveryId) = (parse.GetValue(id)!, parse.GetValue(delivery)!);
            await client.Webhooks.RetryDeliveryAsync(webhookId, deliveryId, cancellationToken);
            await context.Environment.Error.WriteLineAsync($"Delivery {deliveryId} of {webhookId} is sent again now; 'salpre webhooks deliveries {webhookId}' shows how it went.");
            return ExitCodes.Success;
        }));
        return command;
    }
}
