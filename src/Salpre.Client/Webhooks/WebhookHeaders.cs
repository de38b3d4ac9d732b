using System.Net.Http.Headers;
using Microsoft.Extensions.Primitives;

namespace Salpre.Client;

/// <summary>The three headers a webhook request is verified by, taken from whatever holds a request's headers.</summary>
/// <param name="Id"><c>webhook-id</c>: the event's id, the same on every retry (deduplicate on it).</param>
/// <param name="Timestamp"><c>webhook-timestamp</c>: Unix seconds of the attempt.</param>
/// <param name="Signature"><c>webhook-signature</c>: one or more <c>v1,...</c>, space-separated.</param>
public sealed record WebhookHeaders(string? Id, string? Timestamp, string? Signature)
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>From ASP.NET Core's <c>HttpRequest.Headers</c> (an <c>IHeaderDictionary</c>), or any header map with several values a name.</summary>
    public static WebhookHeaders From(IEnumerable<KeyValuePair<string, StringValues>> headers) =>
        From(headers, values => values);

    /// <summary>From <see cref="HttpRequestMessage.Headers"/> (a request made or received with <c>System.Net.Http</c>).</summary>
    public static WebhookHeaders From(HttpHeaders headers) =>
        From(headers, values => new StringValues([.. values]));

    /// <summary>From a plain map of names to values (a serverless function's event, say); names in any case.</summary>
    public static WebhookHeaders From(IEnumerable<KeyValuePair<string, string>> headers) =>
        From(headers, value => new StringValues(value));

    private static WebhookHeaders From<T>(IEnumerable<KeyValuePair<string, T>> headers, Func<T, StringValues> values)
    {
        ArgumentNullException.ThrowIfNull(headers);
        StringValues id = default, timestamp = default, signature = default;
        foreach (var (name, value) in headers)
        {
            if (string.Equals(name, IdHeader, StringComparison.OrdinalIgnoreCase))
            {
                id = StringValues.Concat(id, values(value));
            }
            else if (string.Equals(name, TimestampHeader, StringComparison.OrdinalIgnoreCase))
            {
                timestamp = StringValues.Concat(timestamp, values(value));
            }
            else if (string.Equals(name, SignatureHeader, StringComparison.OrdinalIgnoreCase))
            {
                signature = StringValues.Concat(signature, values(value));
            }
        }
        // An id or a timestamp given twice is no id or timestamp; signatures sent as several headers are one list.
        return new WebhookHeaders(
            id.Count == 1 ? id[0] : null,
            timestamp.Count == 1 ? timestamp[0] : null,
            signature.Count == 0 ? null : string.Join(' ', signature.ToArray()));
    }
}
