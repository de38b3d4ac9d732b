namespace Salpre.Storage.Calls.Stats;

/// <summary>
/// What call statistics ask of a store: the calls of <see cref="Filter"/> (whose time range is required), counted by
/// status within groups of a local time unit and of some of the call's own fields.
/// </summary>
/// <param name="Zone">The zone's offsets over the range, in time order, the first one covering its start.</param>
public sealed record StatsQuery(CallFilter Filter, StatsTimeUnit TimeUnit, IReadOnlyList<ZoneSpan> Zone, StatsFields Fields)
{
    public long From => Filter.StartedAtOrAfter ?? throw new InvalidOperationException("Statistics need a start.");

    public long Until => Filter.StartedBefore ?? throw new InvalidOperationException("Statistics need an end.");
}

/// <summary>The local time unit of the groups: none, the local hour (with its offset, so a repeated hour stays two), or the local day.</summary>
public enum StatsTimeUnit
{
    None = 0,
    Hour = 3600,
    Day = 86_400,
}

/// <summary>Fields of the call that groups are made of.</summary>
[Flags]
public enum StatsFields
{
    None = 0,
    Agent = 1,
    Direction = 2,
    From = 4,
}

/// <summary>From <see cref="Start"/> (Unix seconds) on, the zone is <see cref="OffsetSeconds"/> ahead of UTC.</summary>
public readonly record struct ZoneSpan(long Start, int OffsetSeconds);

/// <summary>The calls of one group in one status and what they add up to.</summary>
/// <param name="Bucket">The local time unit's number since 1970-01-01 local time (0 without a time unit).</param>
/// <param name="Offset">The zone's offset in seconds for an hour bucket (0 otherwise).</param>
public readonly record struct StatsRow(
    long Bucket, int Offset, long AgentId, CallDirection Direction, string From, CallStatus Status, long Calls, long Answered, long TalkSec)
{
    public (long, int, long, CallDirection, string, CallStatus) Key => (Bucket, Offset, AgentId, Direction, From, Status);
}
