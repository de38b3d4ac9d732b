namespace Salpre.Client;

/// <summary>Where the events feed starts, which types it takes, and its page size.</summary>
public sealed record EventListOptions
{
    /// <summary>Events a page, 1 to 100 (the server's default is 10).</summary>
    public int? PerPage { get; init; }

    /// <summary>Start after this event (<c>evt_...</c>), even one already forgotten; without it (or a cursor) the feed starts at the oldest event kept.</summary>
    public string? After { get; init; }

    /// <summary>
    /// Newest first, from the newest event (not with <see cref="After"/>): the latest events, or the id to follow the
    /// feed after from now on. <see cref="EventsClient.FollowAsync"/> reads oldest first only.
    /// </summary>
    public bool NewestFirst { get; init; }

    /// <summary>The <see cref="CursorPage{T}.NextCursor"/> of the previous page; it keeps that page's filter.</summary>
    public string? Cursor { get; init; }

    /// <summary>Only these types (<see cref="EventTypes"/>); with a <see cref="Cursor"/>, the same types as its pages or none.</summary>
    public IReadOnlyList<string>? Types { get; init; }
}

/// <summary>One page of a list paged by cursor alone (the events feed, an endpoint's deliveries).</summary>
/// <param name="Items">This page's items, in the list's order.</param>
/// <param name="PerPage">The page size the server used.</param>
/// <param name="HasNext">Whether more items follow now.</param>
/// <param name="NextCursor">Pass as the options' cursor for the next page; null on the last page.</param>
/// <param name="IgnoredParameters">Query parameters the server did not know.</param>
public sealed record CursorPage<T>(
    IReadOnlyList<T> Items,
    int PerPage,
    bool HasNext,
    string? NextCursor,
    IReadOnlyList<string> IgnoredParameters);
