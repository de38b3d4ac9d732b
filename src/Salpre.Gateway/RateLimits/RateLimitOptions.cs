using System.ComponentModel.DataAnnotations;

namespace Salpre.Gateway.RateLimits;

/// <summary>Bound from the <c>RateLimiting</c> configuration section.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimiting";

    /// <summary>Requests a key may make per second, on average.</summary>
    [Range(1, int.MaxValue)]
    public int RequestsPerSecond { get; set; } = 100;

    /// <summary>Requests a key may make at once after a quiet spell.</summary>
    [Range(1, int.MaxValue)]
    public int Burst { get; set; } = 200;

    /// <summary>
    /// A StackExchange.Redis configuration string (e.g. <c>127.0.0.1:6379</c>). When set, every bucket lives in Redis
    /// and all nodes share it; when not, each node counts on its own.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>What a request meets while Redis cannot answer.</summary>
    public RedisFailureMode RedisFailure { get; set; } = RedisFailureMode.Open;

    /// <summary>How long a request waits for Redis before <see cref="RedisFailure"/> applies.</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(250);
}

public enum RedisFailureMode
{
    /// <summary>Each node falls back to its own buckets: N nodes allow up to N times the limit, nothing stops.</summary>
    Open,

    /// <summary>Requests answer 503 with Retry-After until Redis answers again.</summary>
    Closed,
}
