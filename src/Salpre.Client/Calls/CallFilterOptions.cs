namespace Salpre.Client;

/// <summary>
/// The filters of the call list, which the statistics take too (<see cref="CallListOptions"/>, <see cref="CallStatsOptions"/>).
/// Every filter is optional; those given are combined with AND.
/// </summary>
public abstract record CallFilterOptions
{
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
}
