using Microsoft.Extensions.Time.Testing;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Removal;
using Salpre.Storage.Devices;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage.Tests.Stores;

/// <summary>A migrated database of its own, of either provider, with its stores: what the behaviour tests run on.</summary>
public abstract class TestStore : IAsyncDisposable
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    public abstract IStorage Storage { get; }
    public abstract ICallStore Calls { get; }
    public abstract IAccountStore Accounts { get; }
    public abstract IDeviceStore Devices { get; }
    public abstract IWebhookStore Webhooks { get; }
    public abstract ICallRemoval Removal { get; }

    /// <summary>What the call stores make their events with: a plain rendering, and a count of commits.</summary>
    public TestEventSink Events { get; }

    protected TestStore() => Events = new TestEventSink(Time);

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

    /// <summary>Waits until every transaction begun so far has ended, so that the feed shows all that committed.</summary>
    public virtual Task SettleAsync() => Task.CompletedTask;

    public abstract Task<T> ScalarAsync<T>(string sql);

    public abstract ValueTask DisposeAsync();
}

/// <summary>Makes the stores a test class runs on; one subclass per provider.</summary>
public interface IStoreProvider
{
    static abstract Task<TestStore> CreateAsync();
}

/// <summary>Renders a call event's data as a small JSON object and counts the commits it is told of.</summary>
public sealed class TestEventSink(TimeProvider time) : IEventSink
{
    private int _commits;

    public TimeProvider Time => time;

    public int Commits => _commits;

    public bool DeviceEvents { get; set; }

    public string DeviceData(DeviceRecord device, bool connected) => $$"""{"serial_no":"{{device.SerialNo}}","connected":{{(connected ? "true" : "false")}}}""";

    public string CallData(CallRecord call, CallStatus? previousStatus, int sequence) =>
        $$"""{"call_id":"c{{call.CallNum}}","status":{{(int)call.Status}},"previous_status":{{(previousStatus is { } p ? ((int)p).ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}},"sequence":{{sequence}}}""";

    public string DeletedCallData(long callNum) => $$"""{"call_id":"c{{callNum}}"}""";

    public void Committed() => Interlocked.Increment(ref _commits);
}
