namespace Salpre.Storage.Calls.Removal;

/// <summary>
/// Calls going away: one deleted, a person's calls erased, and old calls or their details let go by retention. A
/// removed call takes with it everything that holds it (details, reports, events and their deliveries, idempotency
/// answers) and its share of the statistics, in one transaction.
/// </summary>
public interface ICallRemoval
{
    /// <summary>Deletes a call; its <c>call.deleted</c> event tells of it. False when the account has no such call.</summary>
    Task<bool> DeleteAsync(long accountId, long callNum, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes, in one transaction, every call of the account with <paramref name="phone"/> on either side, each as
    /// <see cref="DeleteAsync"/> does; then makes sure the deleted bytes are gone from the database's files. How many.
    /// </summary>
    Task<long> EraseAsync(long accountId, string phone, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a rule to every account's calls that ended (or, never ended, started) before <paramref name="cutoff"/>
    /// (Unix seconds), in transactions of at most <paramref name="batchSize"/> calls. Null when another node is applying
    /// retention now: one node does the work.
    /// </summary>
    Task<IReadOnlyList<RetentionCount>?> ApplyRetentionAsync(RetentionRule rule, long cutoff, int batchSize, CancellationToken cancellationToken);
}

public enum RetentionRule
{
    /// <summary>Clears calls' details (recording URL, transcript, variables); the calls stay.</summary>
    Details,

    /// <summary>Deletes whole calls (without <c>call.deleted</c> events: the account set the period).</summary>
    Calls,
}

/// <summary>What a retention run did to one account: how many calls it deleted or whose details it cleared.</summary>
public sealed record RetentionCount(long AccountId, long Calls);
