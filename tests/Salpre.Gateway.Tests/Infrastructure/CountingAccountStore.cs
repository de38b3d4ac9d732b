using Microsoft.Extensions.DependencyInjection;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Infrastructure;

/// <summary>The real account store, counting the calls the gateway makes to it.</summary>
public sealed class CountingAccountStore(IAccountStore inner) : IAccountStore
{
    private int _keyLookups;
    private int _usageWrites;

    public int KeyLookups => Volatile.Read(ref _keyLookups);
    public int UsageWrites => Volatile.Read(ref _usageWrites);

    public static void Register(IServiceCollection services)
    {
        // The provider's own store (SQLite or PostgreSQL), as registered before this replaces it.
        var real = services.Last(service => service.ServiceType == typeof(IAccountStore)).ImplementationType!;
        services.AddSingleton(sp => new CountingAccountStore((IAccountStore)ActivatorUtilities.CreateInstance(sp, real)));
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<CountingAccountStore>());
    }

    public Task<KeyGrant?> FindActiveKeyAsync(byte[] secretHash, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _keyLookups);
        return inner.FindActiveKeyAsync(secretHash, cancellationToken);
    }

    public Task<KeyGrant?> FindActiveKeyByIdAsync(long keyId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _keyLookups);
        return inner.FindActiveKeyByIdAsync(keyId, cancellationToken);
    }

    public Task RecordKeyUsageAsync(IReadOnlyCollection<KeyUsage> usage, CancellationToken cancellationToken)
    {
        if (usage.Count > 0)
        {
            Interlocked.Increment(ref _usageWrites);
        }
        return inner.RecordKeyUsageAsync(usage, cancellationToken);
    }

    public Task<(AccountRecord Account, long KeyId)> CreateAccountAsync(string name, NewApiKey firstKey, CancellationToken cancellationToken) =>
        inner.CreateAccountAsync(name, firstKey, cancellationToken);

    public Task<AccountRecord?> GetAccountAsync(long accountId, CancellationToken cancellationToken) =>
        inner.GetAccountAsync(accountId, cancellationToken);

    public Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken) =>
        inner.ListAccountsAsync(cancellationToken);

    public Task<AccountRecord?> FindAccountByNameAsync(string name, CancellationToken cancellationToken) =>
        inner.FindAccountByNameAsync(name, cancellationToken);

    public Task<long> CreateKeyAsync(long accountId, NewApiKey key, CancellationToken cancellationToken) =>
        inner.CreateKeyAsync(accountId, key, cancellationToken);

    public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(long accountId, CancellationToken cancellationToken) =>
        inner.ListKeysAsync(accountId, cancellationToken);

    public Task<bool> RevokeKeyAsync(long keyId, CancellationToken cancellationToken) =>
        inner.RevokeKeyAsync(keyId, cancellationToken);

    public Task<long> GetKeysVersionAsync(CancellationToken cancellationToken) =>
        inner.GetKeysVersionAsync(cancellationToken);
}
