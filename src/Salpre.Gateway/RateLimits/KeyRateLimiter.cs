using System.Globalization;
using Microsoft.Extensions.Options;

namespace Salpre.Gateway.RateLimits;

/// <summary>
/// A token bucket per API key. Every authenticated answer says where the key stands, in the IETF draft's
/// structured fields: <c>RateLimit-Policy: "key";q=BURST;w=SECONDS</c> and <c>RateLimit: "key";r=LEFT;t=SECONDS</c>.
/// </summary>
public sealed class KeyRateLimiter
{
    public const string PolicyHeader = "RateLimit-Policy";
    public const string StateHeader = "RateLimit";

    private readonly TokenBucket _bucket;
    private readonly RateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly string _policy;

    public KeyRateLimiter(TokenBuckets buckets, IOptions<RateLimitOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _bucket = buckets.Create("key", _options.RequestsPerSecond, _options.Burst);
        // A full bucket lasts Burst requests and refills in Burst / RequestsPerSecond seconds.
        _policy = $"\"key\";q={_options.Burst};w={SecondsToRefill(_options.Burst)}";
    }

    /// <summary>Takes a token for the key and writes the headers; false when the request must not go on.</summary>
    public async ValueTask<BucketAnswer> TakeAsync(HttpContext context, long keyId)
    {
        var answer = await _bucket.TakeAsync(keyId, context.RequestAborted);
        var headers = context.Response.Headers;
        headers[PolicyHeader] = _policy;
        var reset = answer.Allowed ? SecondsToRefill(_options.Burst - answer.Remaining) : SecondsOf(answer.RetryAfter);
        headers[StateHeader] = string.Create(CultureInfo.InvariantCulture, $"\"key\";r={answer.Remaining};t={reset}");
        return answer;
    }

    /// <summary>
    /// Takes one more token for work a request goes on doing after its start (an export's rows), waiting for the
    /// bucket to refill when it is empty: the work slows to the key's rate instead of failing half done.
    /// </summary>
    public async ValueTask DrawAsync(long keyId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var answer = await _bucket.TakeAsync(keyId, cancellationToken);
            if (answer.Allowed)
            {
                return;
            }
            await Task.Delay(answer.RetryAfter, _time, cancellationToken);
        }
    }

    private long SecondsToRefill(long tokens) => (tokens + _options.RequestsPerSecond - 1) / _options.RequestsPerSecond;

    public static long SecondsOf(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
}
