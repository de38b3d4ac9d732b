namespace Salpre.Storage.Calls;

/// <summary>
/// An account's calls. Every write to them also moves the account's calls version, in the same transaction, so that
/// readers can tell a rendered page is still current (see <see cref="GetVersionAsync"/>).
/// </summary>
public interface ICallStore
{
    /// <summary>The account's calls version: equal versions mean equal calls.</summary>
    Task<long> GetVersionAsync(long accountId, CancellationToken cancellationToken);

    /// <summary>Reads up to <see cref="CallQuery.Limit"/> calls of one account in list order.</summary>
    Task<IReadOnlyList<CallRecord>> ListAsync(long accountId, CallQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="ListAsync"/> and the account's calls version, read together in one request to the database: the
    /// version is the one of the calls listed.
    /// </summary>
    Task<VersionedCalls> ListWithVersionAsync(long accountId, CallQuery query, CancellationToken cancellationToken);

    /// <summary><see cref="ListAsync"/> with each call's recording, transcript and variables.</summary>
    Task<IReadOnlyList<CallDetailsRecord>> ListDetailsAsync(long accountId, CallQuery query, CancellationToken cancellationToken);

    Task<long> CountAsync(long accountId, CallFilter filter, CancellationToken cancellationToken);

    /// <summary>The account's calls of a filter counted by group and status (see <see cref="Stats.StatsQuery"/>), one row each.</summary>
    Task<IReadOnlyList<Stats.StatsRow>> GetStatsAsync(long accountId, Stats.StatsQuery query, CancellationToken cancellationToken);

    Task<CallDetailsRecord?> GetAsync(long accountId, long callNum, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves <paramref name="count"/> new call numbers, all above <paramref name="above"/> and above every number
    /// given out before; returns the first. Unused reserved numbers are simply never seen.
    /// </summary>
    Task<long> ReserveCallNumbersAsync(long count, long above, CancellationToken cancellationToken);

    /// <summary>
    /// Writes calls in one transaction: all of them, or none when enumerating <paramref name="calls"/> throws.
    /// A call whose number the account already holds is left as it is.
    /// </summary>
    Task<ImportOutcome> ImportAsync(long accountId, IAsyncEnumerable<CallDetailsRecord> calls, CancellationToken cancellationToken) =>
        ImportAsync(accountId, calls, withEvents: false, cancellationToken);

    /// <summary>
    /// <see cref="ImportAsync(long, IAsyncEnumerable{CallDetailsRecord}, CancellationToken)"/>; with
    /// <paramref name="withEvents"/>, each new call also makes the event of its status (sequence 0), in the same transaction.
    /// </summary>
    Task<ImportOutcome> ImportAsync(long accountId, IAsyncEnumerable<CallDetailsRecord> calls, bool withEvents, CancellationToken cancellationToken);

    /// <summary>
    /// Creates an initiated call with its first event, in one transaction with its idempotency key when there is one.
    /// <paramref name="render"/> makes the answer for the new call, which the key keeps for its retries.
    /// </summary>
    Task<CreateOutcome> CreateAsync(long accountId, NewCall call, IdempotencyClaim? claim, Func<CallRecord, byte[]> render, CancellationToken cancellationToken);

    /// <summary>The earlier answer under an idempotency key (a replay or a conflict), or null when the key is new.</summary>
    Task<CreateOutcome?> FindIdempotentAsync(long accountId, IdempotencyClaim claim, CancellationToken cancellationToken);

    /// <summary>Applies a status report following <see cref="CallLifecycle"/>; a final one may add an outcome.</summary>
    Task<EventOutcome> RecordEventAsync(long accountId, long callNum, CallEvent report, CallOutcome? outcome, CancellationToken cancellationToken);

    /// <summary>
    /// The call's accepted reports, oldest first; null when the account has no such call. A call that came by import
    /// and has no reports shows its known start (and end), with the detail "imported".
    /// </summary>
    Task<IReadOnlyList<CallEventRecord>?> ListEventsAsync(long accountId, long callNum, CancellationToken cancellationToken);

    /// <summary>Forgets idempotency keys created before <paramref name="before"/> (Unix seconds); returns how many.</summary>
    Task<long> ForgetIdempotencyKeysAsync(long before, CancellationToken cancellationToken);
}

public sealed record VersionedCalls(long Version, IReadOnlyList<CallRecord> Calls);

public sealed record ImportOutcome(long Inserted, long AlreadyPresent);
