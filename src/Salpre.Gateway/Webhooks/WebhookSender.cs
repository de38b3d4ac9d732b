using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.Options;

namespace Salpre.Gateway.Webhooks;

/// <summary>What an attempt got: the status (null when no answer came), how long it took, why it failed, the answer's start.</summary>
public sealed record SendOutcome(int? HttpStatus, long LatencyMs, string? Error, string? ResponseBody, TimeSpan? RetryAfter);

/// <summary>
/// Sends webhook requests. Every connection resolves its host and checks each address with the
/// <see cref="NetworkGuard"/> right before connecting (so a name that resolves elsewhere later is refused too), no
/// proxy or cookie is used, and redirects are never followed: a 3xx is a failure.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    public const int MaxResponseBytes = 4096;

    public static readonly string UserAgent =
        $"Salpre-Gateway-Webhooks/{typeof(WebhookSender).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0"}";

    private readonly HttpClient _client;
    private readonly NetworkGuard _guard;
    private readonly IWebhookResolver _resolver;
    private readonly TimeSpan _timeout;

    public WebhookSender(NetworkGuard guard, IWebhookResolver resolver, IOptions<WebhookOptions> options)
    {
        _guard = guard;
        _resolver = resolver;
        _timeout = options.Value.Timeout;
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = 128,
            ConnectCallback = ConnectAsync,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The addresses a host may be reached at, or why none may.</summary>
    public async Task<(IPAddress[] Allowed, string? Refusal)> CheckHostAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = await _resolver.ResolveAsync(host.Trim('[', ']'), cancellationToken);
        var refusals = addresses.Select(_guard.Refusal).Where(refusal => refusal is not null).ToList();
        return ([.. addresses.Where(address => _guard.Refusal(address) is null)], refusals.FirstOrDefault());
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var (allowed, refusal) = await CheckHostAsync(context.DnsEndPoint.Host, cancellationToken);
        if (refusal is not null || allowed.Length == 0)
        {
            // Any internal address among the answers refuses the host: a name that mixes them is not to be trusted.
            throw new WebhookRefusedException($"refused: {refusal ?? "the host has no address"}");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task<SendOutcome> SendAsync(
        string url, string messageId, long timestamp, string signature, byte[] body, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", messageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", signature);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var answer = await ReadStartAsync(response, timeout.Token);
            var status = (int)response.StatusCode;
            var error = status switch
            {
                >= 200 and < 300 => null,
                >= 300 and < 400 => $"a redirect ({status}) is a failure and is not followed",
                _ => $"the endpoint answered {status}",
            };
            return new SendOutcome(status, clock.ElapsedMilliseconds, error, answer, RetryAfterOf(response));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome(null, clock.ElapsedMilliseconds, $"no answer within {_timeout.TotalSeconds:0} s", null, null);
        }
        catch (HttpRequestException failure)
        {
            var refused = failure.InnerException as WebhookRefusedException ?? failure.InnerException?.InnerException as WebhookRefusedException;
            return new SendOutcome(null, clock.ElapsedMilliseconds, refused?.Message ?? $"could not reach the endpoint ({failure.HttpRequestError})", null, null);
        }
    }

    private static async Task<string?> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxResponseBytes];
        var read = 0;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            int got;
            while (read < buffer.Length && (got = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
            {
                read += got;
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            // What arrived before the answer broke off is kept.
        }
        return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    public void Dispose() => _client.Dispose();
}
