using System.Globalization;
using Salpre.Client;
using Spectre.Console;

namespace Salpre.Cli.Output;

/// <summary>Webhook endpoints and their deliveries, for people.</summary>
public static class WebhookTables
{
    public static Table Webhooks(IEnumerable<Webhook> webhooks)
    {
        var table = new Table().AddColumns("id", "url", "event_types", "status", "max_in_flight", "last_success_at", "failing_since", "description");
        foreach (var webhook in webhooks)
        {
            table.AddRow(
                Markup.Escape(webhook.Id),
                Markup.Escape(webhook.Url),
                Markup.Escape(string.Join(',', webhook.EventTypes)),
                Markup.Escape(Status(webhook)),
                webhook.MaxInFlight.ToString(CultureInfo.InvariantCulture),
                Instant(webhook.LastSuccessAt),
                Instant(webhook.FailingSince),
                Markup.Escape(webhook.Description ?? ""));
        }
        return table;
    }

    /// <summary>One endpoint, a row a field, its secret last when the answer carries it.</summary>
    public static Grid Webhook(Webhook webhook)
    {
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string name, string? value) => grid.AddRow(new Text(name), new Text(value ?? ""));
        Row("id", webhook.Id);
        Row("url", webhook.Url);
        Row("description", webhook.Description);
        Row("event_types", string.Join(',', webhook.EventTypes));
        Row("status", Status(webhook));
        Row("max_in_flight", webhook.MaxInFlight.ToString(CultureInfo.InvariantCulture));
        Row("created_at", CallCsv.Instant(webhook.CreatedAt));
        Row("previous_secret_expires_at", Instant(webhook.PreviousSecretExpiresAt));
        if (webhook.Secret is { } secret)
        {
            Row("secret", secret);
        }
        return grid;
    }

    /// <summary>A row a delivery, newest first, with its last attempt.</summary>
    public static Table Deliveries(IEnumerable<WebhookDelivery> deliveries)
    {
        var table = new Table().AddColumns("id", "event_id", "event_type", "status", "attempts", "last_attempt_at", "http_status", "latency_ms", "error", "next_attempt_at");
        foreach (var delivery in deliveries)
        {
            var last = delivery.Attempts.Count > 0 ? delivery.Attempts[^1] : null;
            table.AddRow(
                Markup.Escape(delivery.Id),
                Markup.Escape(delivery.EventId),
                Markup.Escape(delivery.EventType),
                delivery.Status.ToString().ToLowerInvariant(),
                delivery.AttemptCount.ToString(CultureInfo.InvariantCulture),
                last is null ? "" : CallCsv.Instant(last.At),
                last?.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? "",
                last?.LatencyMs.ToString(CultureInfo.InvariantCulture) ?? "",
                Markup.Escape(last?.Error ?? ""),
                Instant(delivery.NextAttemptAt));
        }
        return table;
    }

    private static string Status(Webhook webhook) =>
        webhook.Status.ToString().ToLowerInvariant() + (webhook.DisabledReason is { } reason ? $" ({reason})" : "");

    private static string Instant(DateTimeOffset? instant) => instant is { } value ? CallCsv.Instant(value) : "";
}
