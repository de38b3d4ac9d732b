using System.Text;

namespace Salpre.Gateway.Tests.Fuzz;

/// <summary>
/// One generated request: what it asks, with which headers and body, and what it may change (a write to the
/// worker's own account, whose state is compared before and after when the gateway refuses it).
/// </summary>
public sealed record FuzzRequest(
    string Family,
    HttpMethod Method,
    string PathAndQuery,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body,
    string? ContentType,
    bool Writes)
{
    /// <summary>The request's callable form; large bodies wait for the gateway's go-ahead, so a 413 is seen, not a broken pipe.</summary>
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(Method, new Uri(PathAndQuery, UriKind.Relative));
        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
            message.Headers.ExpectContinue = Body.Length > 256 * 1024;
        }
        return message;
    }

    /// <summary>What a failure report shows: the request as sent, its body cut short and made readable.</summary>
    public override string ToString()
    {
        var text = new StringBuilder($"[{Family}] {Method} {PathAndQuery}");
        foreach (var (name, value) in Headers)
        {
            text.Append($"\n  {name}: {Shorten(value)}");
        }
        if (ContentType is not null)
        {
            text.Append($"\n  Content-Type: {Shorten(ContentType)}");
        }
        if (Body is not null)
        {
            text.Append($"\n  body ({Body.Length} bytes): {Shorten(Readable(Body))}");
        }
        return text.ToString();
    }

    private static string Readable(byte[] body) =>
        string.Concat(Encoding.Latin1.GetString(body, 0, Math.Min(body.Length, 600))
            .Select(c => c is >= ' ' and < (char)127 ? c.ToString() : $"\\x{(int)c:x2}"));

    private static string Shorten(string text) => text.Length <= 300 ? text : $"{text[..300]}... ({text.Length} chars)";
}
