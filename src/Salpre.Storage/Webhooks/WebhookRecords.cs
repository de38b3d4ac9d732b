namespace Salpre.Storage.Webhooks;

/// <summary>Where the feed stands: events come in (tx, id) order (tx is 0 on SQLite). Times are Unix milliseconds.</summary>
public readonly record struct EventPosition(long Tx, long Id) : IComparable<EventPosition>
{
    public static readonly EventPosition Start = new(0, 0);

    /// <summary>After every event: where a newest-first read starts.</summary>
    public static readonly EventPosition End = new(long.MaxValue, long.MaxValue);

    public int CompareTo(EventPosition other) => (Tx, Id).CompareTo((other.Tx, other.Id));
}

/// <summary>A stored event: <see cref="Data"/> is its data object as JSON text; a row never changes.</summary>
public sealed record EventRecord(EventPosition Position, string Type, long CreatedAt, string Data);

/// <summary>An endpoint as stored; the secrets are sealed bytes the store never opens.</summary>
public sealed record EndpointRecord(
    long Id,
    long AccountId,
    string Url,
    string? Description,
    long Types,
    bool Enabled,
    string? DisabledReason,
    int MaxInFlight,
    byte[] Secret,
    byte[]? PreviousSecret,
    long? PreviousExpiresAt,
    long CreatedAt,
    long UpdatedAt,
    long? LastSuccessAt,
    long? FailingSince);

public sealed record NewEndpoint(string Url, string? Description, long Types, int MaxInFlight, byte[] Secret);

/// <summary>What a PATCH changes; null leaves a field as it is. Enabling clears the reason and the failure clock.</summary>
public sealed record EndpointChange(string? Url, string? Description, long? Types, bool? Enabled, int? MaxInFlight);

public enum DeliveryState
{
    Pending = 0,
    Succeeded = 1,
    Failed = 2,
    Canceled = 3,
}

public sealed record AttemptRecord(long StartedAt, int? HttpStatus, long LatencyMs, string? Error, string? ResponseBody);

public sealed record DeliveryRecord(
    long Id,
    EventPosition Event,
    string EventType,
    DeliveryState State,
    int Attempts,
    long? NextAttemptAt,
    long CreatedAt,
    IReadOnlyList<AttemptRecord> AttemptLog);

/// <summary>A delivery a worker has claimed (leased), with what it takes to send it.</summary>
public sealed record ClaimedDelivery(
    long Id,
    long LeaseToken,
    int Attempt,
    long EndpointId,
    string Url,
    byte[] Secret,
    byte[]? PreviousSecret,
    long? PreviousExpiresAt,
    EventRecord Event);

public enum DeliveryVerdict
{
    /// <summary>A 2xx: done.</summary>
    Succeeded,

    /// <summary>Failed; tried again at <see cref="DeliveryResult.NextAttemptAt"/>.</summary>
    Retry,

    /// <summary>Failed for good (the schedule is used up); recoverable.</summary>
    Failed,

    /// <summary>A 410: failed, and the endpoint is disabled at once.</summary>
    Gone,
}

/// <summary>
/// An attempt's outcome. An endpoint whose failures began before <see cref="DisableFailingSince"/> is disabled with
/// <see cref="DisableReason"/> (no success for days).
/// </summary>
public sealed record DeliveryResult(
    ClaimedDelivery Delivery,
    DeliveryVerdict Verdict,
    long StartedAt,
    int? HttpStatus,
    long LatencyMs,
    string? Error,
    string? ResponseBody,
    long? NextAttemptAt,
    long DisableFailingSince,
    string DisableReason);

/// <summary>What asking to send a delivery again did.</summary>
public enum DeliveryRetry
{
    /// <summary>It is due now.</summary>
    Retried,

    /// <summary>The endpoint has no such delivery.</summary>
    NotFound,

    /// <summary>An attempt is being sent now (its lease has not run out); nothing changed.</summary>
    InFlight,
}
