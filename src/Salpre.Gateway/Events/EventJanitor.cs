using Microsoft.Extensions.Options;
using Salpre.Storage.Webhooks;

namespace Salpre.Gateway.Events;

/// <summary>Forgets events past <see cref="EventsOptions.Retention"/>, with their deliveries, a batch at a time.</summary>
public sealed partial class EventJanitor(
    IWebhookStore store, TimeProvider time, IOptions<EventsOptions> options, ILogger<EventJanitor> logger) : BackgroundService
{
    private const int Batch = 5000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval, time);
        try
        {
            do
            {
                try
                {
                    await ForgetExpiredAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogFailed(logger, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Forgets every event older than the retention; returns how many.</summary>
    public async Task<long> ForgetExpiredAsync(CancellationToken cancellationToken)
    {
        var before = (time.GetUtcNow() - options.Value.Retention).ToUnixTimeMilliseconds();
        long total = 0;
        int forgotten;
        do
        {
            forgotten = await store.ForgetEventsAsync(before, Batch, cancellationToken);
            total += forgotten;
        }
        while (forgotten == Batch);
        return total;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not forget expired events.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
