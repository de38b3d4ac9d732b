using Microsoft.Extensions.Options;
using Salpre.Gateway.RateLimits;

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
/// Every call costs money, so each account may start only so many per second (a token bucket per account, shared
/// by all nodes when rate limits live in Redis). Beyond it a make-call answers 429 with Retry-After and nothing is done.
/// </summary>
public sealed class MakeCallLimiter(TokenBuckets buckets, IOptions<MakeCallOptions> options)
{
    private readonly TokenBucket _bucket = buckets.Create("make-call", options.Value.CallsPerSecond, options.Value.Burst);

    /// <summary>Whether the account may start a call now; if not, when to try again.</summary>
    public ValueTask<BucketAnswer> TakeAsync(long accountId, CancellationToken cancellationToken) =>
        _bucket.TakeAsync(accountId, cancellationToken);
}
