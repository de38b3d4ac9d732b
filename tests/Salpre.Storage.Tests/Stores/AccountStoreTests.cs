using System.Security.Cryptography;
using Salpre.Storage.Accounts;

namespace Salpre.Storage.Tests.Stores;

/// <summary>Behaviour every store must show, run once per provider by the subclasses below.</summary>
public abstract class AccountStoreTests<TStore> where TStore : IStoreProvider
{
    private static NewApiKey Key(string secret, KeyScopes scopes = KeyScopes.Read) =>
        new("label", secret[..4], SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)), scopes);

    [Fact]
    public async Task Finds_active_keys_by_hash_and_forgets_revoked_ones()
    {
        await using var db = await TStore.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var (account, firstKey) = await db.Accounts.CreateAccountAsync("Acme", Key("first-secret", KeyScopes.Read | KeyScopes.Write), ct);
        var second = await db.Accounts.CreateKeyAsync(account.Id, Key("second-secret", KeyScopes.Ingest), ct);
        var version = await db.Accounts.GetKeysVersionAsync(ct);

        var found = await db.Accounts.FindActiveKeyAsync(Key("second-secret").SecretHash, ct);
        Assert.True(await db.Accounts.RevokeKeyAsync(second, ct));
        Assert.False(await db.Accounts.RevokeKeyAsync(second, ct));

        Assert.Equal(new KeyGrant(second, account.Id, KeyScopes.Ingest), found);
        Assert.Null(await db.Accounts.FindActiveKeyAsync(Key("second-secret").SecretHash, ct));
        Assert.NotNull(await db.Accounts.FindActiveKeyAsync(Key("first-secret").SecretHash, ct));
        Assert.Null(await db.Accounts.FindActiveKeyAsync(Key("never-issued").SecretHash, ct));
        Assert.True(await db.Accounts.GetKeysVersionAsync(ct) > version);
        var keys = await db.Accounts.ListKeysAsync(account.Id, ct);
        Assert.Equal([firstKey, second], keys.Select(k => k.Id));
        Assert.NotNull(keys[1].RevokedAt);
        Assert.Equal("firs", keys[0].Prefix);
    }

    [Fact]
    public async Task Moves_last_used_forward_only()
    {
        await using var db = await TStore.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var (account, key) = await db.Accounts.CreateAccountAsync("Acme", Key("secret"), ct);

        await db.Accounts.RecordKeyUsageAsync([new KeyUsage(key, 2000)], ct);
        await db.Accounts.RecordKeyUsageAsync([new KeyUsage(key, 1000)], ct);

        Assert.Equal(2000, (await db.Accounts.ListKeysAsync(account.Id, ct)).Single().LastUsedAt);
    }

    [Fact]
    public async Task Refuses_two_keys_with_one_hash()
    {
        await using var db = await TStore.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var (account, _) = await db.Accounts.CreateAccountAsync("Acme", Key("same"), ct);

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => db.Accounts.CreateKeyAsync(account.Id, Key("same"), ct));
    }

    [Fact]
    public async Task Stamps_accounts_with_the_injected_clock()
    {
        await using var db = await TStore.CreateAsync();

        var (account, _) = await db.Accounts.CreateAccountAsync("Clocked", Key("clock"), TestContext.Current.CancellationToken);

        Assert.Equal(db.Time.GetUtcNow().ToUnixTimeSeconds(), account.CreatedAt);
        Assert.Equal(account, await db.Accounts.FindAccountByNameAsync("Clocked", TestContext.Current.CancellationToken));
    }
}
