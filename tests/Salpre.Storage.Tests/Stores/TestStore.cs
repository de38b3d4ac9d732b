using Microsoft.Extensions.Time.Testing;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;
using Salpre.Storage.Devices;

namespace Salpre.Storage.Tests.Stores;

/// <summary>A migrated database of its own, of either provider, with its stores: what the behaviour tests run on.</summary>
public abstract class TestStore : IAsyncDisposable
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    public abstract IStorage Storage { get; }
    public abstract ICallStore Calls { get; }
    public abstract IAccountStore Accounts { get; }
    public abstract IDeviceStore Devices { get; }

    /// <summary>Adds accounts 1..count, for tests about calls (calls must belong to an account).</summary>
    public async Task<TestStore> WithAccountsAsync(int count)
    {
        for (var id = 1; id <= count; id++)
        {
            await ExecuteAsync($"INSERT INTO accounts (id, name, created_at) VALUES ({id}, 'account {id}', 0)");
        }
        return this;
    }

    public abstract Task ExecuteAsync(string sql);

    public abstract Task<T> ScalarAsync<T>(string sql);

    public abstract ValueTask DisposeAsync();
}

/// <summary>Makes the stores a test class runs on; one subclass per provider.</summary>
public interface IStoreProvider
{
    static abstract Task<TestStore> CreateAsync();
}
