namespace Salpre.Client;

/// <summary>Everything a <see cref="SalpreClient"/> needs: its key, where the API is, and how patient to be.</summary>
public sealed class SalpreClientOptions
{
    /// <summary>The hosted service's address, from Salpre's List Calls document.</summary>
    public static readonly Uri HostedBaseAddress = new("https://ai.salpre.com/");

    /// <summary>The account secret key, sent in the <c>account-secret-key</c> header.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>The API's root (the part before <c>/api/gateway/v1</c>); a self-hosted gateway's address, or the hosted service.</summary>
    public Uri BaseAddress { get; set; } = HostedBaseAddress;

    /// <summary>
    /// How long one attempt may take before it counts as failed (and is retried if attempts remain): 10 ms to 24 h,
    /// or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for no limit.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>When and how often failed requests are tried again.</summary>
    public SalpreRetryOptions Retry { get; set; } = new();

    /// <summary>The clock behind retry delays and timeouts; replace it in tests.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>
/// Retries of network errors, timeouts, 429 and 5xx answers: bounded, with jittered exponential backoff, and the
/// server's <c>Retry-After</c> when it gives one.
/// </summary>
public sealed class SalpreRetryOptions
{
    /// <summary>Tries after the first; 0 turns retries off.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first backoff delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest backoff delay.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A <c>Retry-After</c> longer than this is not waited for: the request fails at once with the server's answer.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);
}
