using Microsoft.Extensions.Options;
using Salpre.Gateway.Telemetry;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Keys;

/// <summary>
/// Polls the database's key version (one tiny query per interval per node, not per request) and drops the key
/// cache when it moves, so a key revoked by any process stops working within one interval.
/// </summary>
public sealed partial class KeyCacheRefresher(
    IAccountStore accounts,
    ApiKeyAuthenticator authenticator,
    GatewayMetrics metrics,
    TimeProvider time,
    IOptions<AuthenticationOptions> options,
    ILogger<KeyCacheRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? seen = null;
        using var timer = new PeriodicTimer(options.Value.RevocationCheckInterval, time);
        do
        {
            try
            {
                var version = await accounts.GetKeysVersionAsync(stoppingToken);
                if (seen is not null && seen != version)
                {
                    authenticator.Clear();
                }
                seen = version;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                metrics.Fault(exception);
                LogCheckFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check the key version; cached keys expire on their own.")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
