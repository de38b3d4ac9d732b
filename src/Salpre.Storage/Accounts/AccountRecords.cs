namespace Salpre.Storage.Accounts;

/// <summary>What a key may do. The numeric values are stored; never renumber them.</summary>
[Flags]
public enum KeyScopes
{
    None = 0,
    Read = 1,
    Write = 2,
    Ingest = 4,
}

public sealed record AccountRecord(long Id, string Name, long CreatedAt);

/// <summary>A key as an operator sees it: never its secret, only the prefix shown at creation.</summary>
public sealed record ApiKeyRecord(
    long Id,
    long AccountId,
    string? Name,
    string Prefix,
    KeyScopes Scopes,
    long CreatedAt,
    long? LastUsedAt,
    long? RevokedAt);

/// <param name="SecretHash">SHA-256 of the whole secret key.</param>
public sealed record NewApiKey(string? Name, string Prefix, byte[] SecretHash, KeyScopes Scopes);

/// <summary>An active key found by its hash: what a request made with it may see and do.</summary>
public sealed record KeyGrant(long KeyId, long AccountId, KeyScopes Scopes);

/// <summary>When a key was last used, as counted in memory since the last flush.</summary>
public readonly record struct KeyUsage(long KeyId, long LastUsedAt);
