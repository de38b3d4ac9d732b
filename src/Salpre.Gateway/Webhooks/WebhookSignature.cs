using System.Security.Cryptography;
using System.Text;

namespace Salpre.Gateway.Webhooks;

/// <summary>
/// Standard Webhooks' symmetric signature: <c>v1,</c> and the base64 HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c>
/// under the secret's bytes (what follows <c>whsec_</c>, base64-decoded). Several are sent space-separated while a
/// rotated secret still signs.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    public static string Sign(ReadOnlySpan<byte> key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var head = Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{messageId}.{timestamp}."));
        var content = new byte[head.Length + body.Length];
        head.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(head.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>The <c>webhook-signature</c> header: one signature per key, newest first.</summary>
    public static string Header(IEnumerable<byte[]> keys, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var signatures = new List<string>();
        foreach (var key in keys)
        {
            signatures.Add(Sign(key, messageId, timestamp, body));
        }
        return string.Join(' ', signatures);
    }

    /// <summary>The key of a <c>whsec_</c> secret.</summary>
    public static byte[] KeyOf(string secret) =>
        Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);

    /// <summary>A new secret: <c>whsec_</c> and the base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
