using System.Data.Common;
using Salpre.Storage.Calls;

namespace Salpre.Storage.Dashboard;

/// <summary>The dashboard's statements, the same text for both stores, bound and read through <see cref="DbCommand"/>.</summary>
internal static class DashboardSql
{
    public const string ListKeyRing = "SELECT xml FROM data_protection_keys ORDER BY name";

    public const string StoreKeyRingElement =
        "INSERT INTO data_protection_keys (name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO NOTHING";

    public const string CreateSignInToken =
        "INSERT INTO dashboard_sign_in_tokens (token_hash, key_id, expires_at) VALUES (@hash, @key, @expires)";

    // One statement, so that two nodes given the same token at once cannot both use it.
    public const string ConsumeSignInToken =
        "UPDATE dashboard_sign_in_tokens SET used_at = @now " +
        "WHERE token_hash = @hash AND used_at IS NULL AND expires_at > @now RETURNING key_id";

    // Tokens long expired or used are forgotten as new ones are made.
    public const string ForgetOldSignInTokens = "DELETE FROM dashboard_sign_in_tokens WHERE expires_at < @before";

    public static void BindStore(DbCommand command, string name, string xml)
    {
        CallSql.Add(command, "@name", name);
        CallSql.Add(command, "@xml", xml);
    }

    public static void BindCreate(DbCommand command, byte[] tokenHash, long keyId, long expiresAt)
    {
        CallSql.Add(command, "@hash", tokenHash);
        CallSql.Add(command, "@key", keyId);
        CallSql.Add(command, "@expires", expiresAt);
    }

    public static void BindConsume(DbCommand command, byte[] tokenHash, long now)
    {
        CallSql.Add(command, "@hash", tokenHash);
        CallSql.Add(command, "@now", now);
    }

    public static List<string> ReadKeyRing(DbCommand command)
    {
        using var reader = command.ExecuteReader();
        var elements = new List<string>();
        while (reader.Read())
        {
            elements.Add(reader.GetString(0));
        }
        return elements;
    }

    /// <summary>Makes a token and forgets those that expired a day ago, in the caller's transaction.</summary>
    public static async Task CreateAsync(DbConnection connection, byte[] tokenHash, long keyId, long expiresAt, long now, CancellationToken cancellationToken)
    {
        await using (var forget = connection.CreateCommand())
        {
            forget.CommandText = ForgetOldSignInTokens;
            CallSql.Add(forget, "@before", now - 86_400);
            await forget.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var command = connection.CreateCommand();
        command.CommandText = CreateSignInToken;
        BindCreate(command, tokenHash, keyId, expiresAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<long?> ConsumeAsync(DbConnection connection, byte[] tokenHash, long now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = ConsumeSignInToken;
        BindConsume(command, tokenHash, now);
        return await command.ExecuteScalarAsync(cancellationToken) is long keyId ? keyId : null;
    }
}
