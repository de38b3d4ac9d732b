using Npgsql;
using NpgsqlTypes;
using Salpre.Storage.Accounts;
using static Salpre.Storage.Postgres.PostgresSql;

namespace Salpre.Storage.Postgres;

public sealed class PostgresAccountStore(PostgresDatabase database, TimeProvider time) : IAccountStore
{
    private const string KeyColumns = "id, account_id, name, prefix, scopes, created_at, last_used_at, revoked_at";

    public Task<(AccountRecord Account, long KeyId)> CreateAccountAsync(string name, NewApiKey firstKey, CancellationToken cancellationToken)
    {
        var now = Now();
        return database.WriteAsync(async (connection, ct) =>
        {
            var accountId = await ScalarAsync<long>(connection, ct,
                "INSERT INTO accounts (name, created_at) VALUES (@name, @now) RETURNING id", ("name", name), ("now", now));
            var keyId = await InsertKeyAsync(connection, accountId, firstKey, now, ct);
            return (new AccountRecord(accountId, name, now), keyId);
        }, cancellationToken);
    }

    public Task<AccountRecord?> GetAccountAsync(long accountId, CancellationToken cancellationToken) =>
        QueryAccountAsync("SELECT id, name, created_at FROM accounts WHERE id = @value", accountId, cancellationToken);

    public async Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT id, name, created_at FROM accounts ORDER BY id");
        return await ReadAllAsync(command, ReadAccount, cancellationToken);
    }

    public Task<AccountRecord?> FindAccountByNameAsync(string name, CancellationToken cancellationToken) =>
        QueryAccountAsync("SELECT id, name, created_at FROM accounts WHERE name = @value ORDER BY id LIMIT 1", name, cancellationToken);

    public Task<long> CreateKeyAsync(long accountId, NewApiKey key, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, ct) => InsertKeyAsync(connection, accountId, key, Now(), ct), cancellationToken);

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {KeyColumns} FROM api_keys WHERE account_id = @account ORDER BY id", ("account", accountId));
        return await ReadAllAsync(command, static reader => new ApiKeyRecord(
            Id: reader.GetInt64(0),
            AccountId: reader.GetInt64(1),
            Name: reader.IsDBNull(2) ? null : reader.GetString(2),
            Prefix: reader.GetString(3),
            Scopes: (KeyScopes)reader.GetInt32(4),
            CreatedAt: reader.GetInt64(5),
            LastUsedAt: reader.IsDBNull(6) ? null : reader.GetInt64(6),
            RevokedAt: reader.IsDBNull(7) ? null : reader.GetInt64(7)), cancellationToken);
    }

    public Task<bool> RevokeKeyAsync(long keyId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, ct) =>
        {
            var revoked = await ExecuteAsync(connection, ct,
                "UPDATE api_keys SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL", ("now", Now()), ("id", keyId)) == 1;
            if (revoked)
            {
                await BumpKeysVersionAsync(connection, ct);
            }
            return revoked;
        }, cancellationToken);

    public async Task<KeyGrant?> FindActiveKeyAsync(byte[] secretHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT id, account_id, scopes FROM api_keys WHERE secret_hash = @hash AND revoked_at IS NULL", ("hash", secretHash));
        return await FirstAsync(command, static reader => new KeyGrant(reader.GetInt64(0), reader.GetInt64(1), (KeyScopes)reader.GetInt32(2)), cancellationToken);
    }

    public async Task<KeyGrant?> FindActiveKeyByIdAsync(long keyId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT id, account_id, scopes FROM api_keys WHERE id = @id AND revoked_at IS NULL", ("id", keyId));
        return await FirstAsync(command, static reader => new KeyGrant(reader.GetInt64(0), reader.GetInt64(1), (KeyScopes)reader.GetInt32(2)), cancellationToken);
    }

    public async Task<long> GetKeysVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ScalarAsync<long>(connection, cancellationToken, "SELECT value FROM counters WHERE name = 'keys_version'");
    }

    public async Task RecordKeyUsageAsync(IReadOnlyCollection<KeyUsage> usage, CancellationToken cancellationToken)
    {
        if (usage.Count == 0)
        {
            return;
        }
        // One statement for the whole flush; the condition keeps a time from moving back.
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "UPDATE api_keys k SET last_used_at = u.at FROM unnest(@ids, @ats) AS u (id, at) " +
            "WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)", connection);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = usage.Select(u => u.KeyId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("ats", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = usage.Select(u => u.LastUsedAt).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> InsertKeyAsync(NpgsqlConnection connection, long accountId, NewApiKey key, long now, CancellationToken ct)
    {
        var keyId = await ScalarAsync<long>(connection, ct,
            "INSERT INTO api_keys (account_id, name, prefix, secret_hash, scopes, created_at) " +
            "VALUES (@account, @name, @prefix, @hash, @scopes, @now) RETURNING id",
            ("account", accountId), ("name", key.Name), ("prefix", key.Prefix), ("hash", key.SecretHash), ("scopes", (int)key.Scopes), ("now", now));
        await BumpKeysVersionAsync(connection, ct);
        return keyId;
    }

    private static Task BumpKeysVersionAsync(NpgsqlConnection connection, CancellationToken ct) =>
        ExecuteAsync(connection, ct, "UPDATE counters SET value = value + 1 WHERE name = 'keys_version'");

    private async Task<AccountRecord?> QueryAccountAsync(string sql, object value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, sql, ("value", value));
        return await FirstAsync(command, ReadAccount, cancellationToken);
    }

    private static AccountRecord ReadAccount(NpgsqlDataReader reader) => new(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2));

    private long Now() => time.GetUtcNow().ToUnixTimeSeconds();
}
