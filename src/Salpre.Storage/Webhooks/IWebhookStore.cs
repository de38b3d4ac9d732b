namespace Salpre.Storage.Webhooks;

/// <summary>
/// The events feed and the webhook endpoints with their deliveries. Every read and change is of one account's rows;
/// the worker's claims and results span accounts.
/// </summary>
public interface IWebhookStore
{
    /// <summary>Up to <paramref name="limit"/> of the account's events after <paramref name="after"/>, in feed order.</summary>
    Task<IReadOnlyList<EventRecord>> ListEventsAsync(long accountId, EventPosition after, IReadOnlyList<string> types, int limit, CancellationToken cancellationToken);

    /// <summary>As <see cref="ListEventsAsync"/>, newest first, from before <paramref name="before"/> (<see cref="EventPosition.End"/> for the newest).</summary>
    Task<IReadOnlyList<EventRecord>> ListNewestEventsAsync(long accountId, EventPosition before, IReadOnlyList<string> types, int limit, CancellationToken cancellationToken);

    /// <summary>Forgets up to <paramref name="limit"/> events made before <paramref name="before"/>, with their deliveries; returns how many.</summary>
    Task<int> ForgetEventsAsync(long before, int limit, CancellationToken cancellationToken);

    /// <summary>The new endpoint; null when the account already has <paramref name="limit"/> endpoints.</summary>
    Task<EndpointRecord?> CreateEndpointAsync(long accountId, NewEndpoint endpoint, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<EndpointRecord>> ListEndpointsAsync(long accountId, CancellationToken cancellationToken);

    Task<EndpointRecord?> GetEndpointAsync(long accountId, long endpointId, CancellationToken cancellationToken);

    Task<EndpointRecord?> UpdateEndpointAsync(long accountId, long endpointId, EndpointChange change, CancellationToken cancellationToken);

    /// <summary>Deletes an endpoint with its deliveries: what was pending is never sent. False when there is none.</summary>
    Task<bool> DeleteEndpointAsync(long accountId, long endpointId, CancellationToken cancellationToken);

    /// <summary>A new secret; the current one becomes the previous one and signs too until <paramref name="previousExpiresAt"/>.</summary>
    Task<EndpointRecord?> RotateSecretAsync(long accountId, long endpointId, byte[] secret, long previousExpiresAt, CancellationToken cancellationToken);

    /// <summary>Makes a <c>webhook.test</c> event for one endpoint (not in the feed); its position, or null when there is no such endpoint.</summary>
    Task<EventPosition?> AddTestEventAsync(long accountId, long endpointId, string data, CancellationToken cancellationToken);

    /// <summary>The endpoint's deliveries, newest first, below <paramref name="beforeId"/>, each with its attempts.</summary>
    Task<IReadOnlyList<DeliveryRecord>?> ListDeliveriesAsync(long accountId, long endpointId, long beforeId, int limit, CancellationToken cancellationToken);

    /// <summary>Sends a delivery again now (one more attempt), unless an attempt of it is in flight.</summary>
    Task<DeliveryRetry> RetryDeliveryAsync(long accountId, long endpointId, long deliveryId, CancellationToken cancellationToken);

    /// <summary>Sends again every failed delivery of the endpoint made since <paramref name="since"/>; how many; null when there is no such endpoint.</summary>
    Task<long?> RecoverAsync(long accountId, long endpointId, long since, CancellationToken cancellationToken);

    /// <summary>When the next delivery of an enabled endpoint with a free slot falls due (possibly now or past); null when none waits.</summary>
    Task<long?> NextDueAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="limit"/> due deliveries until now + <paramref name="lease"/> and counts their attempt,
    /// at most each endpoint's max_in_flight at once, round-robin across endpoints; commits before returning.
    /// </summary>
    Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(int limit, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Records attempts' outcomes in one transaction, each only if its delivery is still that claim's (not deleted, not
    /// claimed again).
    /// </summary>
    Task CompleteAsync(IReadOnlyList<DeliveryResult> results, CancellationToken cancellationToken);
}
