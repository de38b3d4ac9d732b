using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Salpre.Client;

/// <summary>
/// Standard Webhooks' symmetric signatures, for receivers of the gateway's webhooks: <c>webhook-signature</c> holds
/// one or more (space-separated) <c>v1,</c> and the base64 HMAC-SHA256 of <c>{webhook-id}.{webhook-timestamp}.{body}</c>
/// under the secret's bytes (the base64 after <c>whsec_</c>). Verify over the raw body, before parsing it.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    /// <summary>How far <c>webhook-timestamp</c> may be from now, either way, unless told otherwise: 5 minutes.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const string Version = "v1,";
    private const int MacLength = 32;

    /// <summary>
    /// Whether the request is genuine: one of its signatures is made by one of <paramref name="secrets"/> (give the
    /// old and the new during a rotation of your own) over exactly these headers and <paramref name="body"/>, and its
    /// timestamp is within <paramref name="tolerance"/> of now (on <paramref name="timeProvider"/>). Signatures are
    /// compared in constant time. <see cref="Check(IEnumerable{string}, WebhookHeaders, ReadOnlySpan{byte}, TimeSpan?, TimeProvider?)"/> says why not.
    /// </summary>
    /// <exception cref="ArgumentException">No secret, or one that is not <c>whsec_</c> and base64: a mistake of configuration, not of the request.</exception>
    public static bool Verify(
        IEnumerable<string> secrets, WebhookHeaders headers, ReadOnlySpan<byte> body, TimeSpan? tolerance = null, TimeProvider? timeProvider = null) =>
        Check(secrets, headers, body, tolerance, timeProvider) == WebhookVerification.Valid;

    /// <inheritdoc cref="Verify(IEnumerable{string}, WebhookHeaders, ReadOnlySpan{byte}, TimeSpan?, TimeProvider?)"/>
    /// <param name="body">The body as read, decoded from UTF-8 (as <c>StreamReader.ReadToEndAsync</c> gives it).</param>
    public static bool Verify(
        IEnumerable<string> secrets, WebhookHeaders headers, string body, TimeSpan? tolerance = null, TimeProvider? timeProvider = null) =>
        Check(secrets, headers, Encoding.UTF8.GetBytes(body ?? throw new ArgumentNullException(nameof(body))), tolerance, timeProvider) == WebhookVerification.Valid;

    /// <summary>As <see cref="Verify(IEnumerable{string}, WebhookHeaders, ReadOnlySpan{byte}, TimeSpan?, TimeProvider?)"/>, saying what is wrong when the request is not genuine (for a log line).</summary>
    public static WebhookVerification Check(
        IEnumerable<string> secrets, WebhookHeaders headers, ReadOnlySpan<byte> body, TimeSpan? tolerance = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(headers);
        var keys = secrets.Select(KeyOf).ToList();
        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one secret is needed.", nameof(secrets));
        }
        var window = tolerance ?? DefaultTolerance;
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero, nameof(tolerance));

        if (headers is not { Id: { Length: > 0 } id, Timestamp: { Length: > 0 } timestamp, Signature: { Length: > 0 } signatures })
        {
            return WebhookVerification.MissingHeaders;
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return WebhookVerification.InvalidTimestamp;
        }
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds();
        var leeway = (long)window.TotalSeconds;
        if (seconds < now - leeway || seconds > now + leeway)
        {
            return WebhookVerification.TimestampOutOfTolerance;
        }

        Span<byte> given = stackalloc byte[MacLength];
        foreach (var key in keys)
        {
            var expected = Mac(key, id, timestamp, body);
            foreach (var signature in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (signature.StartsWith(Version, StringComparison.Ordinal)
                    && Convert.TryFromBase64String(signature[Version.Length..], given, out var length) && length == MacLength
                    && CryptographicOperations.FixedTimeEquals(given, expected))
                {
                    return WebhookVerification.Valid;
                }
            }
        }
        return WebhookVerification.NoValidSignature;
    }

    /// <summary>The signature (<c>v1,...</c>) of a request: what a sender puts in <c>webhook-signature</c> (space-separated, for several secrets).</summary>
    /// <param name="timestamp">The attempt's time; its Unix seconds go into <c>webhook-timestamp</c>.</param>
    public static string Sign(string secret, string id, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var seconds = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return Version + Convert.ToBase64String(Mac(KeyOf(secret), id, seconds, body));
    }

    /// <summary>A new secret: <c>whsec_</c> and the base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Whether <paramref name="secret"/> is a secret <see cref="Verify(IEnumerable{string}, WebhookHeaders, ReadOnlySpan{byte}, TimeSpan?, TimeProvider?)"/> takes.</summary>
    public static bool IsSecret(string? secret) => secret is not null && TryKeyOf(secret, out _);

    private static byte[] Mac(byte[] key, string id, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes(id + "." + timestamp + "."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    private static byte[] KeyOf(string secret) =>
        TryKeyOf(secret ?? throw new ArgumentNullException(nameof(secret)), out var key)
            ? key
            : throw new ArgumentException("A webhook secret is whsec_ and base64 (as the gateway shows it once).", nameof(secret));

    // The prefix may be left off, as Standard Webhooks' libraries allow.
    private static bool TryKeyOf(string secret, out byte[] key)
    {
        var text = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        key = new byte[text.Length];
        if (text.Length == 0 || !Convert.TryFromBase64String(text, key, out var length))
        {
            return false;
        }
        key = key[..length];
        return true;
    }
}

/// <summary>What <see cref="WebhookSignature.Check(IEnumerable{string}, WebhookHeaders, ReadOnlySpan{byte}, TimeSpan?, TimeProvider?)"/> found.</summary>
public enum WebhookVerification
{
    Valid,

    /// <summary><c>webhook-id</c>, <c>webhook-timestamp</c> or <c>webhook-signature</c> is missing or empty.</summary>
    MissingHeaders,

    /// <summary><c>webhook-timestamp</c> is not Unix seconds.</summary>
    InvalidTimestamp,

    /// <summary>The timestamp is further from now than the tolerance: a replay, or a clock far off.</summary>
    TimestampOutOfTolerance,

    /// <summary>No signature is one of the secrets' over this id, timestamp and body.</summary>
    NoValidSignature,
}
