using Salpre.Client.Http;

namespace Salpre.Client;

/// <summary>
/// A client of Salpre's gateway API, hosted or self-hosted. Each instance has its own options; it holds no static
/// state, is safe to share between threads, and can run over the caller's <see cref="HttpClient"/>.
/// </summary>
public sealed class SalpreClient : IDisposable
{
    private readonly HttpClient? _ownedHttpClient;

    /// <summary>A client with its own <see cref="HttpClient"/> (disposed with it).</summary>
    public SalpreClient(SalpreClientOptions options)
        : this(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, options, ownsHttpClient: true)
    {
    }

    /// <summary>A client over the caller's <see cref="HttpClient"/> (from <c>IHttpClientFactory</c>, or with a custom handler); it is not disposed here.</summary>
    public SalpreClient(HttpClient httpClient, SalpreClientOptions options)
        : this(httpClient, options, ownsHttpClient: false)
    {
    }

    private SalpreClient(HttpClient httpClient, SalpreClientOptions options, bool ownsHttpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiKey, "options.ApiKey");
        Options = Normalized(options);
        var transport = new SalpreTransport(httpClient, Options);
        Calls = new CallsClient(transport);
        Devices = new DevicesClient(transport);
        Events = new EventsClient(transport);
        Webhooks = new WebhooksClient(transport);
        _ownedHttpClient = ownsHttpClient ? httpClient : null;
    }

    /// <summary>The options this client runs with.</summary>
    public SalpreClientOptions Options { get; }

    /// <summary>Lists, statistics, details, logs and make-call.</summary>
    public CallsClient Calls { get; }

    /// <summary>The account's Salpre Boxes.</summary>
    public DevicesClient Devices { get; }

    /// <summary>The events feed: every change of a call, oldest first, to page through or follow.</summary>
    public EventsClient Events { get; }

    /// <summary>Webhook endpoints, their secrets and deliveries.</summary>
    public WebhooksClient Webhooks { get; }

    public void Dispose() => _ownedHttpClient?.Dispose();

    // A copy, so that later changes to the caller's object cannot reach a running client; the base address gets the
    // trailing slash that relative paths need to resolve under it.
    private static SalpreClientOptions Normalized(SalpreClientOptions options)
    {
        var address = options.BaseAddress.AbsoluteUri;
        return new SalpreClientOptions
        {
            ApiKey = options.ApiKey,
            BaseAddress = address.EndsWith('/') ? options.BaseAddress : new Uri(address + "/"),
            Timeout = options.Timeout,
            Retry = new SalpreRetryOptions
            {
                MaxRetries = options.Retry.MaxRetries,
                BaseDelay = options.Retry.BaseDelay,
                MaxDelay = options.Retry.MaxDelay,
                MaxRetryAfter = options.Retry.MaxRetryAfter,
            },
            TimeProvider = options.TimeProvider,
        };
    }
}
