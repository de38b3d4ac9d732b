using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Salpre.Gateway.Calls;

/// <summary>Bound from the <c>MakeCall</c> configuration section.</summary>
public sealed class MakeCallOptions
{
    public const string Section = "MakeCall";

    /// <summary>New calls an account may start per second, on average.</summary>
    public int CallsPerSecond { get; set; } = 5;

    /// <summary>New calls an account may start at once after a quiet spell.</summary>
    public int Burst { get; set; } = 10;

    /// <summary>How long an idempotency key holds its answer.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>
/// Every call costs money, so each account may start only so many per second (a token bucket per account). Beyond
/// it a make-call answers 429 with Retry-After and nothing is done.
/// </summary>
public sealed class MakeCallLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<long> _limiter;

    public MakeCallLimiter(IOptions<MakeCallOptions> options)
    {
        var settings = options.Value;
        _limiter = PartitionedRateLimiter.Create<long, long>(account => RateLimitPartition.GetTokenBucketLimiter(account, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = settings.CallsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>True when the account may start a call now; otherwise, when to try again.</summary>
    public bool TryStart(long accountId, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(accountId);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
