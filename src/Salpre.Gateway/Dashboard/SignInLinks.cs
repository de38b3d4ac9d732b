using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Salpre.Storage.Dashboard;

namespace Salpre.Gateway.Dashboard;

/// <summary>
/// One-time sign-in addresses (<c>/dashboard/sign-in?token=...</c>) that the <c>dashboard link</c> command and the
/// demo print: a random token, kept only as its SHA-256, that opens a session of one key, once, within 10 minutes.
/// </summary>
public static class SignInLinks
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>Makes and keeps a token for the key; <see cref="Address"/> makes the link to print.</summary>
    public static async Task<string> CreateAsync(IDashboardStore store, long keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await store.CreateSignInTokenAsync(Hash(token), keyId, (now + Lifetime).ToUnixTimeSeconds(), cancellationToken);
        return token;
    }

    public static string Address(string baseUrl, string token) => $"{baseUrl.TrimEnd('/')}{DashboardPaths.SignIn}?token={token}";

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>A token as made here: 43 base64url characters.</summary>
    public static bool IsWellFormed(string? token) => token is { Length: 43 } && Base64Url.IsValid(token);
}
