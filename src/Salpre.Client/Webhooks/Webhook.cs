using System.Text.Json;
using System.Text.Json.Serialization;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>
/// A webhook endpoint: where the account's events are sent, signed with its secret. <see cref="Secret"/> is there
/// only in the answer that made it (<see cref="WebhooksClient.CreateAsync"/>, <see cref="WebhooksClient.RotateSecretAsync"/>).
/// </summary>
public sealed record Webhook
{
    /// <summary>Such as <c>wh_1</c>.</summary>
    public required string Id { get; init; }

    public string Url { get; init; } = "";

    public string? Description { get; init; }

    /// <summary>The types it takes (<see cref="Client.EventTypes"/>).</summary>
    public IReadOnlyList<string> EventTypes { get; init; } = [];

    public WebhookStatus Status { get; init; }

    /// <summary>Why it is disabled: the API, a 410 answer, or days without a success.</summary>
    public string? DisabledReason { get; init; }

    /// <summary>Its deliveries in flight at once, at most.</summary>
    public int MaxInFlight { get; init; }

    [JsonConverter(typeof(UtcSecondsConverter))]
    public DateTimeOffset CreatedAt { get; init; }

    [JsonConverter(typeof(UtcSecondsConverter))]
    public DateTimeOffset UpdatedAt { get; init; }

    [JsonConverter(typeof(NullableUtcSecondsConverter))]
    public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>Since when every attempt has failed; an endpoint failing for 5 days is disabled.</summary>
    [JsonConverter(typeof(NullableUtcSecondsConverter))]
    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>Until when the secret before the last rotation still signs beside the new one.</summary>
    [JsonConverter(typeof(NullableUtcSecondsConverter))]
    public DateTimeOffset? PreviousSecretExpiresAt { get; init; }

    /// <summary>The signing secret (<c>whsec_...</c>), only in the answer that made it: keep it then.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Secret { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalFields { get; set; }
}

/// <summary>Whether an endpoint is sent its events. <see cref="Unknown"/> stands for a status newer than this client.</summary>
[JsonConverter(typeof(LowercaseEnumConverter<WebhookStatus>))]
public enum WebhookStatus
{
    Unknown,
    Enabled,
    Disabled,
}

/// <summary>One event's delivery to an endpoint, with every attempt made.</summary>
public sealed record WebhookDelivery
{
    /// <summary>Such as <c>dlv_12</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The event delivered (and the <c>webhook-id</c> of every attempt).</summary>
    public string EventId { get; init; } = "";

    public string EventType { get; init; } = "";

    public WebhookDeliveryStatus Status { get; init; }

    public int AttemptCount { get; init; }

    /// <summary>When the next attempt falls due, while the delivery is pending.</summary>
    [JsonConverter(typeof(NullableUtcSecondsConverter))]
    public DateTimeOffset? NextAttemptAt { get; init; }

    [JsonConverter(typeof(UtcSecondsConverter))]
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The attempts, oldest first.</summary>
    public IReadOnlyList<WebhookAttempt> Attempts { get; init; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalFields { get; set; }
}

/// <summary>Where a delivery is. <see cref="Unknown"/> stands for a status newer than this client.</summary>
[JsonConverter(typeof(LowercaseEnumConverter<WebhookDeliveryStatus>))]
public enum WebhookDeliveryStatus
{
    Unknown,

    /// <summary>Not yet sent, or to be tried again.</summary>
    Pending,

    Succeeded,

    /// <summary>Every attempt failed; <see cref="WebhooksClient.RetryDeliveryAsync"/> or <see cref="WebhooksClient.RecoverAsync"/> sends it again.</summary>
    Failed,
}

/// <summary>One attempt of a delivery.</summary>
public sealed record WebhookAttempt
{
    /// <summary>When it started (UTC, to the millisecond).</summary>
    [JsonConverter(typeof(UtcMillisecondsConverter))]
    public DateTimeOffset At { get; init; }

    /// <summary>The endpoint's answer; null when none came.</summary>
    public int? HttpStatus { get; init; }

    public long LatencyMs { get; init; }

    /// <summary>Why it failed; null when it succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>The first 4 KB of the answer.</summary>
    public string? ResponseBody { get; init; }
}
