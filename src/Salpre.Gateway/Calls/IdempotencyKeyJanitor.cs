using Microsoft.Extensions.Options;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls;

/// <summary>Forgets idempotency keys once their window has passed, every hour.</summary>
public sealed partial class IdempotencyKeyJanitor(
    ICallStore calls, TimeProvider time, IOptions<MakeCallOptions> options, ILogger<IdempotencyKeyJanitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        try
        {
            do
            {
                try
                {
                    var before = (time.GetUtcNow() - options.Value.IdempotencyWindow).ToUnixTimeSeconds();
                    await calls.ForgetIdempotencyKeysAsync(before, stoppingToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not forget expired idempotency keys.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
