using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Salpre.Client.Http;

/// <summary>
/// The per-request resilience: a timeout for each attempt inside bounded, jittered exponential retries of network
/// errors, timeouts, 429 and 5xx, which wait as long as <c>Retry-After</c> says when the server says it. Nothing is
/// retried once the caller has cancelled. A request that must not happen twice (one that makes a secret) is retried
/// only when it surely did nothing: its connection never opened, or the answer was 429.
/// </summary>
internal static class RetryPipeline
{
    public static ResiliencePipeline<HttpResponseMessage> Create(SalpreClientOptions options, bool repeatable = true)
    {
        var retry = options.Retry;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider };
        if (retry.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = retry.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                ShouldHandle = arguments => ValueTask.FromResult(ShouldRetry(arguments.Outcome, arguments.Context.CancellationToken, options, repeatable)),
                DelayGenerator = arguments => ValueTask.FromResult(
                    arguments.Outcome.Result is { } response ? RetryAfterOf(response, options.TimeProvider) : null),
                OnRetry = arguments =>
                {
                    // The failed answer is dropped for a new attempt; free its connection.
                    arguments.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }
        if (options.Timeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(options.Timeout);
        }
        return builder.Build();
    }

    /// <summary>Network faults and timeouts (of an attempt, or the <see cref="HttpClient"/>'s own).</summary>
    public static bool IsTransient(Exception exception) =>
        exception is HttpRequestException or IOException or TimeoutRejectedException or OperationCanceledException;

    /// <summary>A fault before the request left: its connection was never made.</summary>
    public static bool NeverSent(Exception exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError };

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken, SalpreClientOptions options, bool repeatable)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        if (outcome.Exception is { } exception)
        {
            return repeatable ? IsTransient(exception) : NeverSent(exception);
        }
        var response = outcome.Result!;
        if (repeatable ? !SalpreTransport.IsRetryableStatus(response.StatusCode) : response.StatusCode != System.Net.HttpStatusCode.TooManyRequests)
        {
            return false;
        }
        // A server asking for a longer pause than the caller accepts gets its answer passed on at once.
        return RetryAfterOf(response, options.TimeProvider) is not { } wait || wait <= options.Retry.MaxRetryAfter;
    }

    /// <summary><c>Retry-After</c> as a delay from now (it may be seconds or a date).</summary>
    public static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
