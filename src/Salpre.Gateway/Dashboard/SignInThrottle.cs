using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Salpre.Gateway.Dashboard;

/// <summary>
/// Failed sign-ins per client address, counted by the framework's fixed-window rate limiter: a good key is never
/// slowed, and an address that has failed <see cref="DashboardOptions.SignInFailuresPerMinute"/> times in a minute is
/// told to wait, whatever it sends, until the window ends.
/// </summary>
public sealed class SignInThrottle(IOptions<DashboardOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.SignInFailuresPerMinute),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public static string AddressOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Whether this address may try now.</summary>
    public bool MayTry(HttpContext context) => _failures.GetStatistics(AddressOf(context)) is not { CurrentAvailablePermits: 0 };

    public void Failed(HttpContext context)
    {
        using var _ = _failures.AttemptAcquire(AddressOf(context));
    }

    public void Dispose() => _failures.Dispose();
}
