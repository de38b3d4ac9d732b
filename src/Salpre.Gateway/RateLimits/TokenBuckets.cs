using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Salpre.Gateway.RateLimits;

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
