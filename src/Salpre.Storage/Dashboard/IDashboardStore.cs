namespace Salpre.Storage.Dashboard;

/// <summary>
/// What the dashboard keeps in the database: the data-protection key ring its session cookies are sealed with (shared
/// by every node) and one-time sign-in tokens (only their hashes).
/// </summary>
public interface IDashboardStore
{
    /// <summary>Every stored key-ring element, as XML text. Synchronous, as the framework's key ring reads it.</summary>
    IReadOnlyList<string> ListKeyRing();

    /// <summary>Stores a key-ring element under its unique name (a second element of the same name is ignored).</summary>
    void StoreKeyRingElement(string name, string xml);

    /// <summary>Keeps a one-time token (its SHA-256) that opens a session of <paramref name="keyId"/> until <paramref name="expiresAt"/>.</summary>
    Task CreateSignInTokenAsync(byte[] tokenHash, long keyId, long expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Uses a token: the key it opens a session of, once, while it has not expired at <paramref name="now"/>; null for
    /// an unknown, used or expired token.
    /// </summary>
    Task<long?> ConsumeSignInTokenAsync(byte[] tokenHash, long now, CancellationToken cancellationToken);
}
