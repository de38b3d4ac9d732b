using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Salpre.Gateway.Events;
using Salpre.Storage.Webhooks;

namespace Salpre.Gateway.Webhooks;

/// <summary>
/// This node's delivery workers: it claims due deliveries (at most <see cref="WebhookOptions.Workers"/> in flight on
/// the node, at most each endpoint's max_in_flight across nodes, round-robin across endpoints), sends each, and
/// records the outcomes, those that finish together in one transaction (a busy node makes one commit for many
/// deliveries, not one each). A commit on this node wakes it at once; otherwise it looks every
/// <see cref="WebhookOptions.PollInterval"/>, which is how retries falling due and other nodes' events are found.
/// </summary>
public sealed partial class WebhookDispatcher(
    IWebhookStore store,
    WebhookSender sender,
    WebhookSecrets secrets,
    DeliverySignal signal,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    /// <summary>The most outcomes recorded in one transaction.</summary>
    private const int MaxRecordBatch = 256;

    private readonly Channel<DeliveryResult> _outcomes = Channel.CreateUnbounded<DeliveryResult>(new UnboundedChannelOptions { SingleReader = true });
    private int _inFlight;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recording = RecordOutcomesAsync(stoppingToken);
        await ClaimLoopAsync(stoppingToken);
        await recording;
    }

    private async Task ClaimLoopAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = settings.PollInterval;
            try
            {
                // A read first: a claim is a write, and most wakes (a commit that queued nothing) find nothing due.
                var free = settings.Workers - Volatile.Read(ref _inFlight);
                var due = await store.NextDueAsync(stoppingToken);
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                if (free > 0 && due <= now)
                {
                    var claimed = await store.ClaimAsync(free, settings.Lease, stoppingToken);
                    foreach (var delivery in claimed)
                    {
                        Interlocked.Increment(ref _inFlight);
                        _ = Task.Run(() => DeliverAsync(delivery, stoppingToken), CancellationToken.None);
                    }
                    if (claimed.Count == free)
                    {
                        continue; // there may be more
                    }
                }
                else if (due > now && TimeSpan.FromMilliseconds(due.Value - now) is var untilDue && untilDue < wait)
                {
                    wait = untilDue;
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogClaimFailed(logger, exception);
            }
            try
            {
                await signal.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task DeliverAsync(ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        try
        {
            // Its slot stays taken until the outcome is recorded.
            _outcomes.Writer.TryWrite(await AttemptAsync(delivery, stoppingToken));
            return;
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            // The lease runs out and the delivery is sent again: at least once, never lost.
            LogDeliveryFailed(logger, delivery.Id, exception);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the lease runs out and another run sends it.
        }
        Release(1);
    }

    /// <summary>Records the outcomes that have come in, together, then frees their slots.</summary>
    private async Task RecordOutcomesAsync(CancellationToken stoppingToken)
    {
        var batch = new List<DeliveryResult>(MaxRecordBatch);
        try
        {
            while (await _outcomes.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxRecordBatch && _outcomes.Reader.TryRead(out var outcome))
                {
                    batch.Add(outcome);
                }
                try
                {
                    await store.CompleteAsync(batch, CancellationToken.None);
                }
                catch (Exception exception)
                {
                    // Their leases run out and they are sent again: at least once, never lost.
                    foreach (var outcome in batch)
                    {
                        LogDeliveryFailed(logger, outcome.Delivery.Id, exception);
                    }
                }
                Release(batch.Count);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: outcomes not recorded yet are sent again once their leases run out.
        }
    }

    private void Release(int slots)
    {
        Interlocked.Add(ref _inFlight, -slots);
        signal.Set();
    }

    /// <summary>Sends one attempt and judges it: success, a retry at its time, failed, or gone (410).</summary>
    internal async Task<DeliveryResult> AttemptAsync(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var started = time.GetUtcNow();
        var body = EventItem.Render(delivery.Event);
        List<byte[]> keys = [secrets.Open(delivery.Secret)];
        if (delivery.PreviousSecret is { } previous && delivery.PreviousExpiresAt > started.ToUnixTimeMilliseconds())
        {
            keys.Add(secrets.Open(previous));
        }
        var id = EventIds.Format(delivery.Event.Position);
        var timestamp = started.ToUnixTimeSeconds();
        var outcome = await sender.SendAsync(delivery.Url, id, timestamp, WebhookSignature.Header(keys, id, timestamp, body), body, cancellationToken);

        var now = time.GetUtcNow();
        var verdict = outcome.HttpStatus switch
        {
            >= 200 and < 300 => DeliveryVerdict.Succeeded,
            410 => DeliveryVerdict.Gone,
            _ => DeliveryVerdict.Retry,
        };
        DateTimeOffset? next = null;
        if (verdict == DeliveryVerdict.Retry)
        {
            next = RetrySchedule.After(delivery.Attempt, outcome.RetryAfter, settings.MaxRetryAfter, Random.Shared.NextDouble()) is { } wait ? now + wait : null;
            verdict = next is null ? DeliveryVerdict.Failed : DeliveryVerdict.Retry;
        }
        var disableSince = now - settings.DisableAfter;
        return new DeliveryResult(delivery, verdict, started.ToUnixTimeMilliseconds(), outcome.HttpStatus, outcome.LatencyMs, outcome.Error,
            outcome.ResponseBody, next?.ToUnixTimeMilliseconds(), disableSince.ToUnixTimeMilliseconds(),
            $"no successful delivery for {settings.DisableAfter.TotalDays:0.#} days");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not claim webhook deliveries; trying again shortly.")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record webhook delivery {DeliveryId}; it will be sent again when its lease ends.")]
    private static partial void LogDeliveryFailed(ILogger logger, long deliveryId, Exception exception);
}
