namespace Salpre.Storage.Calls;

/// <summary>Which calls of an account a list shows. Every part is optional; parts combine with AND.</summary>
public sealed record CallFilter
{
    public static readonly CallFilter None = new();

    /// <summary>Bit i set means status i is wanted; 0 means any status.</summary>
    public int StatusMask { get; init; }

    /// <summary>Sorted, distinct agent ids; empty means any agent.</summary>
    public IReadOnlyList<long> AgentIds { get; init; } = [];

    public CallDirection? Direction { get; init; }
    public string? To { get; init; }
    public string? From { get; init; }

    /// <summary>Inclusive lower bound on started_at, Unix seconds.</summary>
    public long? StartedAtOrAfter { get; init; }

    /// <summary>Exclusive upper bound on started_at, Unix seconds.</summary>
    public long? StartedBefore { get; init; }

    public long? MinDuration { get; init; }
    public long? MaxDuration { get; init; }

    public bool IsEmpty => Equals(None);

    public bool Equals(CallFilter? other) =>
        other is not null
        && StatusMask == other.StatusMask
        && AgentIds.SequenceEqual(other.AgentIds)
        && Direction == other.Direction
        && To == other.To
        && From == other.From
        && StartedAtOrAfter == other.StartedAtOrAfter
        && StartedBefore == other.StartedBefore
        && MinDuration == other.MinDuration
        && MaxDuration == other.MaxDuration;

    public override int GetHashCode() =>
        HashCode.Combine(StatusMask, AgentIds.Count, Direction, To, From, StartedAtOrAfter, StartedBefore, MinDuration);
}

/// <summary>A position in list order: the last call of the previous page.</summary>
public readonly record struct CallPosition(long StartedAt, long CallNum);

/// <summary>One page request: a filter, an order, and where the page starts.</summary>
/// <param name="After">Keyset start (exclusive); when set, <paramref name="Offset"/> is ignored.</param>
/// <param name="Limit">How many rows to read (callers ask for one more than a page to learn has_next).</param>
public sealed record CallQuery(
    CallFilter Filter,
    bool Ascending,
    CallPosition? After,
    long Offset,
    int Limit);
