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

    Task<long> CountAsync(long accountId, CallFilter filter, CancellationToken cancellationToken);

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
    Task<ImportOutcome> ImportAsync(long accountId, IAsyncEnumerable<CallDetailsRecord> calls, CancellationToken cancellationToken);
}

public sealed record ImportOutcome(long Inserted, long AlreadyPresent);
