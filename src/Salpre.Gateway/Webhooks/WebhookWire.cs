using System.Text.Json.Serialization;
using Salpre.Gateway.Events;
using Salpre.Gateway.Hosting;
using Salpre.Storage.Webhooks;

namespace Salpre.Gateway.Webhooks;

/// <summary>
/// An endpoint. <c>secret</c> appears once, in the answer that made it (creation or rotation); it is never shown again.
/// <c>status</c> is <c>enabled</c> or <c>disabled</c> (with <c>disabled_reason</c>: the API, a 410, or days of failures).
/// </summary>
public sealed record WebhookItem(
    string Id,
    string Url,
    string? Description,
    IReadOnlyList<string> EventTypes,
    string Status,
    string? DisabledReason,
    int MaxInFlight,
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset CreatedAt,
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset UpdatedAt,
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset? LastSuccessAt,
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset? FailingSince,
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset? PreviousSecretExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret)
{
    public static WebhookItem Of(EndpointRecord endpoint, DateTimeOffset now, string? secret = null) => new(
        WebhookIds.Format(endpoint.Id),
        endpoint.Url,
        endpoint.Description,
        Storage.Webhooks.EventTypes.Names(endpoint.Types),
        endpoint.Enabled ? "enabled" : "disabled",
        endpoint.DisabledReason,
        endpoint.MaxInFlight,
        Instant(endpoint.CreatedAt),
        Instant(endpoint.UpdatedAt),
        endpoint.LastSuccessAt is { } success ? Instant(success) : null,
        endpoint.FailingSince is { } failing ? Instant(failing) : null,
        endpoint.PreviousExpiresAt is { } expires && expires > now.ToUnixTimeMilliseconds() ? Instant(expires) : null,
        secret);

    internal static DateTimeOffset Instant(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}

/// <summary>One delivery of an event to an endpoint, with every attempt made.</summary>
public sealed record DeliveryItem(
    string Id,
    string EventId,
    string EventType,
    string Status,
    int AttemptCount,
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset? NextAttemptAt,
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset CreatedAt,
    IReadOnlyList<AttemptItem> Attempts)
{
    public static DeliveryItem Of(DeliveryRecord delivery) => new(
        WebhookIds.FormatDelivery(delivery.Id),
        EventIds.Format(delivery.Event),
        delivery.EventType,
        delivery.State.ToString().ToLowerInvariant(),
        delivery.Attempts,
        delivery.NextAttemptAt is { } next ? WebhookItem.Instant(next) : null,
        WebhookItem.Instant(delivery.CreatedAt),
        [.. delivery.AttemptLog.Select(AttemptItem.Of)]);
}

/// <summary>An attempt: when it started (UTC, milliseconds), the HTTP status (null when no answer came), how long, why it failed, and the answer's first 4 KB.</summary>
public sealed record AttemptItem(
    [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset At,
    int? HttpStatus,
    long LatencyMs,
    string? Error,
    string? ResponseBody)
{
    public static AttemptItem Of(AttemptRecord attempt) =>
        new(WebhookItem.Instant(attempt.StartedAt), attempt.HttpStatus, attempt.LatencyMs, attempt.Error, attempt.ResponseBody);
}

public sealed record DeliveryListResponse(IReadOnlyList<DeliveryItem> Data, EventListMeta Meta)
{
    [JsonPropertyOrder(-1)]
    public string Status => "success";
}

public sealed record WebhookCreateBody(string? Url, IReadOnlyList<string>? EventTypes, string? Description, int? MaxInFlight);

/// <summary>A PATCH: any of url, event_types, description, max_in_flight, and status (<c>enabled</c> or <c>disabled</c>).</summary>
public sealed record WebhookPatchBody(string? Url, IReadOnlyList<string>? EventTypes, string? Description, int? MaxInFlight, string? Status);

public sealed record RecoverBody(string? Since);

public sealed record RecoverResult(long Recovered);

public sealed record DeletedResult(string Id, bool Deleted);

public sealed record RetriedResult(string Id, string Status);

/// <summary>Endpoint ids are <c>wh_</c> and a number; delivery ids <c>dlv_</c> and a number.</summary>
public static class WebhookIds
{
    public static string Format(long id) => $"wh_{id}";

    public static string FormatDelivery(long id) => $"dlv_{id}";

    public static bool TryParse(string text, out long id) => TryParse(text, "wh_", out id);

    public static bool TryParseDelivery(string text, out long id) => TryParse(text, "dlv_", out id);

    private static bool TryParse(string text, string prefix, out long id)
    {
        id = 0;
        // The number alone after the prefix, as call ids are read (canonical digits).
        return text.StartsWith(prefix, StringComparison.Ordinal) && text.Length > prefix.Length && char.IsAsciiDigit(text[prefix.Length])
               && Calls.CallIds.TryParse(text.AsSpan(prefix.Length), out id);
    }
}
