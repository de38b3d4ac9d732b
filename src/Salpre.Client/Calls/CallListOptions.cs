namespace Salpre.Client;

/// <summary>Filters, order and paging of the call list. Every filter is optional; those given are combined with AND.</summary>
public sealed record CallListOptions
{
    /// <summary>Calls a page, 1 to 100 (the server's default is 10).</summary>
    public int? PerPage { get; init; }

    /// <summary>A page number from 1; for deep paging prefer <see cref="Cursor"/>.</summary>
    public long? Page { get; init; }

    /// <summary>The <see cref="CallPage.NextCursor"/> of the previous page.</summary>
    public string? Cursor { get; init; }

    /// <summary>Any of these statuses.</summary>
    public IReadOnlyList<CallStatus>? Statuses { get; init; }

    /// <summary>Any of these agents (up to 100).</summary>
    public IReadOnlyList<long>? AgentIds { get; init; }

    public CallDirection? Direction { get; init; }

    /// <summary>Exactly this callee, E.164.</summary>
    public string? To { get; init; }

    /// <summary>Exactly this caller, such as <c>salprebox:SALPRE_123456</c>.</summary>
    public string? From { get; init; }

    /// <summary>Calls started at or after this instant.</summary>
    public DateTimeOffset? StartedAfter { get; init; }

    /// <summary>Calls started before this instant.</summary>
    public DateTimeOffset? StartedBefore { get; init; }

    /// <summary>Ended calls that talked at least this long (whole seconds).</summary>
    public TimeSpan? MinDuration { get; init; }

    /// <summary>Ended calls that talked at most this long (whole seconds).</summary>
    public TimeSpan? MaxDuration { get; init; }

    public CallOrder? Order { get; init; }

    /// <summary>Ask for <see cref="CallPage.Total"/> (costs the server a count).</summary>
    public bool IncludeTotal { get; init; }
}
