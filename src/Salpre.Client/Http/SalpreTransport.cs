using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly;
using Polly.Timeout;
using Salpre.Client.Serialization;

namespace Salpre.Client.Http;

/// <summary>
/// Sends a request with the key and retries, and turns every failure into a <see cref="SalpreApiException"/>.
/// Each attempt builds a fresh request message, so headers chosen once per logical call (the idempotency key)
/// stay the same across its retries.
/// </summary>
internal sealed class SalpreTransport
{
    private const string KeyHeader = "account-secret-key";
    private const string RequestIdHeader = "X-Request-Id";
    private static readonly ProductInfoHeaderValue s_userAgent = new("salpre-dotnet", typeof(SalpreTransport).Assembly.GetName().Version?.ToString(3));

    private readonly HttpClient _http;
    private readonly SalpreClientOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ResiliencePipeline<HttpResponseMessage> _unrepeatablePipeline;

    public SalpreTransport(HttpClient http, SalpreClientOptions options)
    {
        _http = http;
        _options = options;
        _pipeline = RetryPipeline.Create(options);
        _unrepeatablePipeline = RetryPipeline.Create(options, repeatable: false);
    }

    public Uri Resolve(string relative) => new(_options.BaseAddress, relative);

    public Uri BaseAddress => _options.BaseAddress;

    public SalpreRetryOptions Retry => _options.Retry;

    /// <summary>The client's clock, for waits of its own (following the events feed).</summary>
    public TimeProvider Time => _options.TimeProvider;

    /// <summary>Sends until success or the retries run out; returns the (buffered) successful response.</summary>
    public Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken) =>
        SendAsync(createRequest, _pipeline, HttpCompletionOption.ResponseContentRead, cancellationToken);

    /// <summary>
    /// <see cref="SendAsync(Func{HttpRequestMessage}, CancellationToken)"/> for a streamed answer: retries and the
    /// timeout cover the request up to the answer's headers; the caller reads the body as it comes.
    /// </summary>
    public Task<HttpResponseMessage> SendStreamingAsync(Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken) =>
        SendAsync(createRequest, _pipeline, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    /// <summary>
    /// <see cref="SendAsync(Func{HttpRequestMessage}, CancellationToken)"/> for a request that must not take effect
    /// twice (one whose answer alone carries a new secret): retried only when it surely did nothing.
    /// </summary>
    public Task<HttpResponseMessage> SendUnrepeatableAsync(Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken) =>
        SendAsync(createRequest, _unrepeatablePipeline, HttpCompletionOption.ResponseContentRead, cancellationToken);

    private async Task<HttpResponseMessage> SendAsync(
        Func<HttpRequestMessage> createRequest, ResiliencePipeline<HttpResponseMessage> pipeline, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await pipeline.ExecuteAsync(
                static async (state, token) =>
                {
                    using var request = state.createRequest();
                    request.Headers.Add(KeyHeader, state.transport._options.ApiKey);
                    request.Headers.UserAgent.Add(s_userAgent);
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                    // Buffering the body inside the attempt puts its transfer under the timeout and the retries too.
                    return await state.transport._http.SendAsync(request, state.completion, token).ConfigureAwait(false);
                },
                (transport: this, createRequest, completion),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && RetryPipeline.IsTransient(exception))
        {
            throw exception is TimeoutRejectedException or OperationCanceledException
                ? new SalpreApiException($"No answer from {_options.BaseAddress} within {_options.Timeout.TotalSeconds:0.#} s.", code: SalpreApiException.TimeoutCode, innerException: exception)
                : new SalpreApiException($"Could not reach {_options.BaseAddress}: {exception.Message}", code: SalpreApiException.ConnectionFailedCode, innerException: exception);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ErrorOfAsync(response, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        return response;
    }

    /// <summary>Reads a success envelope's JSON; a body that is not what the API sends becomes a <see cref="SalpreApiException"/>.</summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken).ConfigureAwait(false)
                       ?? throw new JsonException("The body is null.");
            }
        }
        catch (JsonException exception)
        {
            throw InvalidResponse(response, exception);
        }
    }

    /// <summary>Reads a success envelope's JSON, then what it holds through <paramref name="convert"/> (events kept as sent, say); JSON that is not an event fails as the envelope would.</summary>
    public static async Task<TResult> ReadAsync<T, TResult>(HttpResponseMessage response, JsonTypeInfo<T> type, Func<T, TResult> convert, CancellationToken cancellationToken)
    {
        var envelope = await ReadAsync(response, type, cancellationToken).ConfigureAwait(false);
        try
        {
            return convert(envelope);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            throw InvalidResponse(response, exception);
        }
    }

    internal static SalpreApiException InvalidResponse(HttpResponseMessage response, Exception exception) =>
        new($"The server answered {(int)response.StatusCode} with a body that is not the API's JSON: {exception.Message}",
            response.StatusCode, SalpreApiException.InvalidResponseCode, requestId: RequestIdOf(response), innerException: exception);

    private static async Task<SalpreApiException> ErrorOfAsync(HttpResponseMessage response, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        ErrorEnvelope? envelope = null;
        try
        {
            envelope = body.TrimStart().StartsWith('{') ? JsonSerializer.Deserialize(body, WireJsonContext.Default.ErrorEnvelope) : null;
        }
        catch (JsonException)
        {
            // Not the envelope (a proxy's page, say): the status and the body's start still say what happened.
        }
        var message = envelope?.Message is { Length: > 0 } text ? text : DescribeBareFailure(response, body);
        return new SalpreApiException(
            message,
            response.StatusCode,
            envelope?.Code,
            envelope?.Param,
            envelope?.RequestId ?? RequestIdOf(response),
            RetryPipeline.RetryAfterOf(response, time));
    }

    private static string DescribeBareFailure(HttpResponseMessage response, string body)
    {
        var start = body.ReplaceLineEndings(" ").Trim();
        var status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        return start.Length == 0 ? status : $"{status}: {(start.Length > 200 ? start[..200] + "..." : start)}";
    }

    private static string? RequestIdOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues(RequestIdHeader, out var values) ? values.FirstOrDefault() : null;

    public static bool IsReplay(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Contains("true", StringComparer.OrdinalIgnoreCase);

    internal static bool IsRetryableStatus(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;
}
