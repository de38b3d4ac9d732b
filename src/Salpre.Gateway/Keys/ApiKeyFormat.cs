using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Keys;

/// <summary>
/// Secret keys look like <c>slp_sk_</c> + 43 base62 characters (256 random bits) + a 6-character base62 CRC-32 of
/// what precedes it. The prefix lets secret scanners find leaked keys (<c>slp_sk_[0-9A-Za-z]{49}</c>); the checksum
/// lets the gateway refuse a mistyped or invented key without touching the database.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "slp_sk_";
    public const int RandomLength = 43;
    public const int ChecksumLength = 6;
    public const int Length = 7 + RandomLength + ChecksumLength;

    /// <summary>How much of a key is kept in clear to recognise it in listings.</summary>
    public const int DisplayLength = 11;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Generate()
    {
        Span<char> key = stackalloc char[Length];
        Prefix.CopyTo(key);
        RandomNumberGenerator.GetItems(Alphabet, key.Slice(Prefix.Length, RandomLength));
        WriteChecksum(key[..^ChecksumLength], key[^ChecksumLength..]);
        return new string(key);
    }

    /// <summary>Checks shape and checksum only; says nothing of whether the key exists.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> key)
    {
        if (key.Length != Length || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var c in key[Prefix.Length..])
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }
        Span<char> expected = stackalloc char[ChecksumLength];
        WriteChecksum(key[..^ChecksumLength], expected);
        return expected.SequenceEqual(key[^ChecksumLength..]);
    }

    /// <summary>The SHA-256 of the key, the only form in which keys are stored.</summary>
    public static KeyDigest Hash(ReadOnlySpan<char> key)
    {
        Span<byte> utf8 = stackalloc byte[Length * 3];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], digest);
        return KeyDigest.Read(digest);
    }

    /// <summary>A new key: its secret, to show once, and what is stored of it.</summary>
    public static (string Secret, NewApiKey Stored) Issue(string? name, KeyScopes scopes)
    {
        var secret = Generate();
        return (secret, new NewApiKey(name, secret[..DisplayLength], Hash(secret).ToArray(), scopes));
    }

    public static string FormatScopes(KeyScopes scopes) =>
        string.Join(',', new[] { KeyScopes.Read, KeyScopes.Write, KeyScopes.Ingest }
            .Where(scope => scopes.HasFlag(scope))
            .Select(scope => scope.ToString().ToLowerInvariant()));

    /// <summary>Reads <c>read,write,ingest</c> (any non-empty subset).</summary>
    public static bool TryParseScopes(string text, out KeyScopes scopes)
    {
        scopes = KeyScopes.None;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            KeyScopes? scope = part switch
            {
                "read" => KeyScopes.Read,
                "write" => KeyScopes.Write,
                "ingest" => KeyScopes.Ingest,
                _ => null,
            };
            if (scope is null)
            {
                return false;
            }
            scopes |= scope.Value;
        }
        return scopes != KeyScopes.None;
    }

    private static void WriteChecksum(ReadOnlySpan<char> body, Span<char> destination)
    {
        Span<byte> ascii = stackalloc byte[body.Length];
        for (var i = 0; i < body.Length; i++)
        {
            ascii[i] = (byte)body[i];
        }
        ulong crc = Crc32.HashToUInt32(ascii);
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(crc % 62)];
            crc /= 62;
        }
    }
}

/// <summary>A SHA-256 digest as a value, so it can key a dictionary without allocating.</summary>
public readonly record struct KeyDigest(UInt128 High, UInt128 Low)
{
    public static KeyDigest Read(ReadOnlySpan<byte> digest) =>
        new(BitConverter.ToUInt128(digest[..16]), BitConverter.ToUInt128(digest[16..]));

    public byte[] ToArray()
    {
        var bytes = new byte[32];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 16), High);
        BitConverter.TryWriteBytes(bytes.AsSpan(16), Low);
        return bytes;
    }
}
