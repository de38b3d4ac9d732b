namespace Salpre.Client;

/// <summary>A new endpoint.</summary>
/// <param name="Url">Where to send: <c>https</c> (a gateway may allow <c>http</c>), without user name or password.</param>
public sealed record WebhookCreateRequest(string Url)
{
    /// <summary>The types it takes (<see cref="EventTypes"/>); by default every <c>call.*</c> type.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    public string? Description { get; init; }

    /// <summary>Its deliveries in flight at once, 1 to 100 (the gateway's default is 4).</summary>
    public int? MaxInFlight { get; init; }
}

/// <summary>A change of an endpoint: what is null stays as it is.</summary>
public sealed record WebhookUpdateRequest
{
    public string? Url { get; init; }

    public IReadOnlyList<string>? EventTypes { get; init; }

    public string? Description { get; init; }

    public int? MaxInFlight { get; init; }

    /// <summary>Enable (which clears the reason and the failure clock) or disable it.</summary>
    public bool? Enabled { get; init; }
}

/// <summary>Paging of an endpoint's deliveries, newest first.</summary>
public sealed record WebhookDeliveryListOptions
{
    /// <summary>Deliveries a page, 1 to 100 (the server's default is 10).</summary>
    public int? PerPage { get; init; }

    /// <summary>The <see cref="CursorPage{T}.NextCursor"/> of the previous page.</summary>
    public string? Cursor { get; init; }
}
