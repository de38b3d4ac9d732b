using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Hashing;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Salpre.Gateway.Devices;
using Salpre.Gateway.Keys;
using Salpre.Storage.Calls;
using Salpre.Storage.Devices;

namespace Salpre.Gateway.Dashboard;

/// <summary>
/// Live updates for open dashboards. One poller per node reads, once per <see cref="DashboardOptions.LiveInterval"/>,
/// each watched account's calls version and boxes (two cheap reads per account, however many dashboards are open)
/// and tells that account's open streams when either moved. The database is what every node shares, so a change made
/// through any node, or by an admin import, shows on every node's dashboards within about a second. An event is only
/// a hint: the page fetches what changed through its own address.
/// </summary>
public sealed partial class DashboardChanges(
    ICallStore calls,
    IDeviceStore devices,
    DeviceConnectivity connectivity,
    ApiKeyAuthenticator authenticator,
    TimeProvider time,
    IOptions<DashboardOptions> options,
    ILogger<DashboardChanges> logger) : BackgroundService
{
    public const string CallsEvent = "calls";
    public const string DevicesEvent = "devices";
    public const string PingEvent = "ping";
    public const string SignedOutEvent = "signed-out";

    private readonly ConcurrentDictionary<long, Watch> _watches = new();

    /// <summary>An account's state as a page shows it: its calls version and a fingerprint of its boxes.</summary>
    public async Task<(string Calls, string Devices)> ReadAsync(long accountId, CancellationToken cancellationToken)
    {
        var version = await calls.GetVersionAsync(accountId, cancellationToken);
        var boxes = await devices.ListAsync(accountId, cancellationToken);
        return (version.ToString(CultureInfo.InvariantCulture), Fingerprint(boxes));
    }

    /// <summary>The calls version alone, for pages that follow only the calls (the calls page).</summary>
    public async Task<(string Calls, string Devices)> ReadCallsAsync(long accountId, CancellationToken cancellationToken) =>
        ((await calls.GetVersionAsync(accountId, cancellationToken)).ToString(CultureInfo.InvariantCulture), "");

    /// <summary>
    /// One tab's stream: the account's state at once (the page compares it with what it drew), then every change, a
    /// ping every <see cref="DashboardOptions.PingInterval"/>; it ends when the session's key is revoked.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> StreamAsync(ApiCaller caller, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var inbox = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest });
        var watch = _watches.GetOrAdd(caller.AccountId, static _ => new Watch());
        watch.Add(inbox);
        try
        {
            var (callsVersion, devicesPrint) = await ReadAsync(caller.AccountId, cancellationToken);
            // The poller compares what it reads with what streams were last told: a change between this read and its
            // first read of a new watch must count as one.
            watch.Know(CallsEvent, callsVersion);
            watch.Know(DevicesEvent, devicesPrint);
            yield return new SseItem<string>(callsVersion, CallsEvent);
            yield return new SseItem<string>(devicesPrint, DevicesEvent);
            var lastPing = time.GetTimestamp();
            while (!cancellationToken.IsCancellationRequested)
            {
                // Wake at least each interval to see whether the session's key still stands.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(options.Value.LiveInterval);
                var ready = false;
                try
                {
                    ready = await inbox.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
                if (await authenticator.FindActiveAsync(caller.KeyId, cancellationToken) is null)
                {
                    yield return new SseItem<string>("", SignedOutEvent);
                    yield break;
                }
                while (ready && inbox.Reader.TryRead(out var item))
                {
                    yield return item;
                }
                if (time.GetElapsedTime(lastPing) >= options.Value.PingInterval)
                {
                    lastPing = time.GetTimestamp();
                    yield return new SseItem<string>("", PingEvent);
                }
            }
        }
        finally
        {
            watch.Remove(inbox);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LiveInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var (accountId, watch) in _watches)
            {
                // An account nobody watches costs nothing; its entry stays (a few bytes) so that no stream is orphaned.
                if (watch.IsEmpty)
                {
                    continue;
                }
                try
                {
                    var (callsVersion, devicesPrint) = await ReadAsync(accountId, stoppingToken);
                    watch.Publish(CallsEvent, callsVersion);
                    watch.Publish(DevicesEvent, devicesPrint);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogReadFailed(logger, exception);
                }
            }
        }
    }

    /// <summary>What a change to the boxes shows: any field of the list, connected included.</summary>
    private string Fingerprint(IReadOnlyList<DeviceRecord> boxes)
    {
        var hash = new XxHash64();
        foreach (var box in boxes)
        {
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{box.Id}|{box.SerialNo}|{box.DeviceName}|{box.LastSeen}|{box.BatteryLevel}|{box.FirmwareVersion}|{connectivity.IsConnected(box)}\n");
            hash.Append(System.Text.Encoding.UTF8.GetBytes(line));
        }
        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read a watched account's calls version or boxes; live updates wait for the next read.")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);

    /// <summary>An account's open streams and the state they were last told.</summary>
    private sealed class Watch
    {
        private readonly Lock _gate = new();
        private readonly List<Channel<SseItem<string>>> _inboxes = [];
        private readonly Dictionary<string, string> _last = [];

        public bool IsEmpty
        {
            get { lock (_gate) return _inboxes.Count == 0; }
        }

        public void Add(Channel<SseItem<string>> inbox)
        {
            lock (_gate) _inboxes.Add(inbox);
        }

        public void Remove(Channel<SseItem<string>> inbox)
        {
            lock (_gate) _inboxes.Remove(inbox);
        }

        /// <summary>Records a state a stream was told, unless the watch knows one already.</summary>
        public void Know(string eventType, string value)
        {
            lock (_gate) _last.TryAdd(eventType, value);
        }

        public void Publish(string eventType, string value)
        {
            lock (_gate)
            {
                var changed = _last.TryGetValue(eventType, out var last) && last != value;
                _last[eventType] = value;
                if (!changed) return;
                foreach (var inbox in _inboxes)
                {
                    inbox.Writer.TryWrite(new SseItem<string>(value, eventType));
                }
            }
        }
    }
}
