using System.Net;

namespace Salpre.Client;

/// <summary>
/// The one exception the client throws for a failed request: the server's answer (status, the envelope's
/// <c>message</c>, <c>code</c>, <c>param</c>, the request id) or, with no answer, a network fault or timeout.
/// </summary>
public sealed class SalpreApiException : Exception
{
    /// <summary><see cref="Code"/> when the server could not be reached.</summary>
    public const string ConnectionFailedCode = "connection_failed";

    /// <summary><see cref="Code"/> when no answer came within <see cref="SalpreClientOptions.Timeout"/>.</summary>
    public const string TimeoutCode = "timeout";

    /// <summary><see cref="Code"/> when the server answered 2xx with a body that is not the expected JSON.</summary>
    public const string InvalidResponseCode = "invalid_response";

    public SalpreApiException(
        string message,
        HttpStatusCode? statusCode = null,
        string? code = null,
        string? param = null,
        string? requestId = null,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Code = code;
        Param = param;
        RequestId = requestId;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status, or null when no answer came.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The envelope's stable <c>code</c> (<c>invalid_parameter</c>, <c>not_found</c>...), or a client code such as <see cref="TimeoutCode"/>.</summary>
    public string? Code { get; }

    /// <summary>The parameter the server named as wrong, if any.</summary>
    public string? Param { get; }

    /// <summary>The request id from the envelope or the <c>X-Request-Id</c> header; quote it when reporting a problem.</summary>
    public string? RequestId { get; }

    /// <summary>How long the server asked to wait (429 and 503 answers).</summary>
    public TimeSpan? RetryAfter { get; }
}
