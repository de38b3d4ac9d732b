using Microsoft.Extensions.Options;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Keys;

/// <summary>Writes keys' last-used times in one batch per interval and once more at shutdown.</summary>
public sealed partial class KeyUsageFlusher(
    IAccountStore accounts,
    ApiKeyAuthenticator authenticator,
    TimeProvider time,
    IOptions<AuthenticationOptions> options,
    ILogger<KeyUsageFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.UsageFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var usage = authenticator.TakeUnflushedUsage();
        try
        {
            await accounts.RecordKeyUsageAsync(usage, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Kept for the next flush: a write refused while the disk is full (or the database is away) loses nothing.
            authenticator.ReturnUnflushedUsage(usage);
            LogFlushFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record when keys were last used; the next flush tries again.")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
