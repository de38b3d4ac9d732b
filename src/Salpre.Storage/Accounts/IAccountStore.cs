namespace Salpre.Storage.Accounts;

public interface IAccountStore
{
    /// <summary>Creates an account with its first key, in one transaction.</summary>
    Task<(AccountRecord Account, long KeyId)> CreateAccountAsync(string name, NewApiKey firstKey, CancellationToken cancellationToken);

    Task<AccountRecord?> GetAccountAsync(long accountId, CancellationToken cancellationToken);

    Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken);

    Task<AccountRecord?> FindAccountByNameAsync(string name, CancellationToken cancellationToken);

    Task<long> CreateKeyAsync(long accountId, NewApiKey key, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(long accountId, CancellationToken cancellationToken);

    /// <summary>Revokes a key; false when there is no such key or it was already revoked.</summary>
    Task<bool> RevokeKeyAsync(long keyId, CancellationToken cancellationToken);

    /// <summary>The active (not revoked) key with this secret hash, if any.</summary>
    Task<KeyGrant?> FindActiveKeyAsync(byte[] secretHash, CancellationToken cancellationToken);

    /// <summary>The active (not revoked) key with this id, if any: what a dashboard session of the key may still do.</summary>
    Task<KeyGrant?> FindActiveKeyByIdAsync(long keyId, CancellationToken cancellationToken);

    /// <summary>A number that changes whenever a key is created or revoked, so caches know to refresh.</summary>
    Task<long> GetKeysVersionAsync(CancellationToken cancellationToken);

    /// <summary>Moves last_used_at forward (never back) for the given keys.</summary>
    Task RecordKeyUsageAsync(IReadOnlyCollection<KeyUsage> usage, CancellationToken cancellationToken);
}
