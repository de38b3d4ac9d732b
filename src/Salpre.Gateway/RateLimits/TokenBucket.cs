using System.Threading.RateLimiting;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Salpre.Gateway.RateLimits;

/// <summary>One kind of bucket, partitioned by a number (a key id, an account id).</summary>
public sealed class TokenBucket
{
    private static readonly TimeSpan s_refill = TimeSpan.FromSeconds(1);
    private readonly string _name;
    private readonly PartitionedRateLimiter<long> _local;
    private readonly PartitionedRateLimiter<long>? _shared;
    private readonly RateLimitOptions _options;
    private readonly ILogger _logger;
    private int _redisFailing;

    internal TokenBucket(string name, PartitionedRateLimiter<long> local, PartitionedRateLimiter<long>? shared, RateLimitOptions options, ILogger logger)
    {
        (_name, _local, _shared, _options, _logger) = (name, local, shared, options, logger);
    }

    /// <summary>Takes one token of the partition's bucket, if there is one.</summary>
    public ValueTask<BucketAnswer> TakeAsync(long partition, CancellationToken cancellationToken) =>
        _shared is null ? ValueTask.FromResult(TakeLocal(partition)) : TakeSharedAsync(partition, cancellationToken);

    private BucketAnswer TakeLocal(long partition)
    {
        using var lease = _local.AttemptAcquire(partition);
        if (lease.IsAcquired)
        {
            return new BucketAnswer(BucketVerdict.Allowed, _local.GetStatistics(partition)?.CurrentAvailablePermits ?? 0, TimeSpan.Zero);
        }
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : s_refill;
        return new BucketAnswer(BucketVerdict.Limited, 0, wait);
    }

    private async ValueTask<BucketAnswer> TakeSharedAsync(long partition, CancellationToken cancellationToken)
    {
        try
        {
            using var lease = await _shared!.AcquireAsync(partition, 1, cancellationToken).AsTask()
                .WaitAsync(_options.RedisTimeout, cancellationToken);
            if (Interlocked.Exchange(ref _redisFailing, 0) == 1)
            {
                _logger.LogInformation("Redis answers again for the {Bucket} bucket", _name);
            }
            var remaining = lease.TryGetMetadata(RateLimitMetadataName.Remaining, out var left) ? left : 0;
            // Redis refills whole buckets' worth once a second: the next token comes within the second.
            return lease.IsAcquired
                ? new BucketAnswer(BucketVerdict.Allowed, remaining, TimeSpan.Zero)
                : new BucketAnswer(BucketVerdict.Limited, 0, s_refill);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException
            && !cancellationToken.IsCancellationRequested)
        {
            // Said once per outage, not once per request.
            if (Interlocked.Exchange(ref _redisFailing, 1) == 0)
            {
                _logger.LogWarning("Redis did not answer for the {Bucket} bucket ({Error}); failing {Mode}", _name, exception.GetType().Name, _options.RedisFailure);
            }
            return _options.RedisFailure == RedisFailureMode.Open
                ? TakeLocal(partition)
                : new BucketAnswer(BucketVerdict.Unavailable, 0, s_refill);
        }
    }
}
