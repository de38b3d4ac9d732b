using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Salpre.Gateway.RateLimits;

/// <summary>What a bucket said: go ahead (with how many tokens are left), wait, or it could not tell.</summary>
public readonly record struct BucketAnswer(BucketVerdict Verdict, long Remaining, TimeSpan RetryAfter)
{
    public bool Allowed => Verdict == BucketVerdict.Allowed;
}

public enum BucketVerdict
{
    Allowed,
    Limited,
    Unavailable,
}

/// <summary>
/// Makes the gateway's token buckets (per key, per account for make-call). Buckets refill once a second. With
/// <see cref="RateLimitOptions.Redis"/> set they live in Redis, shared by every node; otherwise in this process.
/// </summary>
public sealed class TokenBuckets(IOptions<RateLimitOptions> options, ILogger<TokenBuckets> logger) : IDisposable
{
    private readonly RateLimitOptions _options = options.Value;
    private readonly ConfigurationOptions? _redisSettings = options.Value.Redis is { Length: > 0 } redis
        ? RedisSettings(redis, options.Value.RedisTimeout)
        : null;
    private ConnectionMultiplexer? _redis;
    private readonly List<IDisposable> _owned = [];
    private string _installation = "default";

    /// <summary>
    /// Names this installation's buckets in Redis (an id kept in its database), so that gateways of other databases
    /// sharing one Redis never count each other's key ids.
    /// </summary>
    public void UseInstallation(string installation) => _installation = installation;

    /// <summary>
    /// Connects to Redis, when buckets live there, before the first request needs it: a connection made inside a
    /// request would block thread-pool threads while it waits. With Redis down it returns anyway and reconnects by
    /// itself; meanwhile <see cref="RateLimitOptions.RedisFailure"/> applies.
    /// </summary>
    public async Task ConnectAsync()
    {
        if (_redisSettings is not null && _redis is null)
        {
            _redis = await ConnectionMultiplexer.ConnectAsync(_redisSettings);
        }
    }

    /// <summary>A bucket per partition (a key id, an account id) of <paramref name="burst"/> tokens.</summary>
    public TokenBucket Create(string name, int perSecond, int burst)
    {
        var local = PartitionedRateLimiter.Create<long, long>(id => RateLimitPartition.GetTokenBucketLimiter(id, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        _owned.Add(local);
        PartitionedRateLimiter<long>? shared = null;
        if (_redisSettings is not null)
        {
            shared = PartitionedRateLimiter.Create<long, string>(id => RedisRateLimitPartition.GetTokenBucketRateLimiter($"salpre:{_installation}:{name}:{id}", _ => new RedisTokenBucketRateLimiterOptions
            {
                ConnectionMultiplexerFactory = () => _redis ?? throw new InvalidOperationException("Redis is not connected yet"),
                TokenLimit = burst,
                TokensPerPeriod = perSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            }));
            _owned.Add(shared);
        }
        return new TokenBucket(name, local, shared, _options, logger);
    }

    public void Dispose()
    {
        _owned.ForEach(limiter => limiter.Dispose());
        _redis?.Dispose();
    }

    // Never wait on Redis longer than a request may: a down Redis must not hang requests.
    private static ConfigurationOptions RedisSettings(string configuration, TimeSpan timeout)
    {
        var settings = ConfigurationOptions.Parse(configuration);
        settings.AbortOnConnectFail = false;
        settings.ConnectTimeout = (int)timeout.TotalMilliseconds;
        settings.SyncTimeout = (int)timeout.TotalMilliseconds;
        settings.AsyncTimeout = (int)timeout.TotalMilliseconds;
        settings.ConnectRetry = 1;
        return settings;
    }
}

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
