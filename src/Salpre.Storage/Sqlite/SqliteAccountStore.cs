using Microsoft.Data.Sqlite;
using Salpre.Storage.Accounts;

namespace Salpre.Storage.Sqlite;

public sealed class SqliteAccountStore(SqliteDatabase database, TimeProvider time) : IAccountStore
{
    private const string KeyColumns = "id, account_id, name, prefix, scopes, created_at, last_used_at, revoked_at";

    public Task<(AccountRecord Account, long KeyId)> CreateAccountAsync(string name, NewApiKey firstKey, CancellationToken cancellationToken)
    {
        var now = Now();
        return database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO accounts (name, created_at) VALUES (@name, @now) RETURNING id";
            command.Parameters.AddWithValue("@name", name);
            command.Parameters.AddWithValue("@now", now);
            var accountId = (long)(await command.ExecuteScalarAsync(ct))!;
            var keyId = await InsertKeyAsync(connection, accountId, firstKey, now, ct);
            return (new AccountRecord(accountId, name, now), keyId);
        }, cancellationToken);
    }

    public Task<AccountRecord?> GetAccountAsync(long accountId, CancellationToken cancellationToken) =>
        QueryAccountAsync("SELECT id, name, created_at FROM accounts WHERE id = @value", accountId, cancellationToken);

    public async Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, created_at FROM accounts ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var accounts = new List<AccountRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            accounts.Add(new AccountRecord(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)));
        }
        return accounts;
    }

    public Task<AccountRecord?> FindAccountByNameAsync(string name, CancellationToken cancellationToken) =>
        QueryAccountAsync("SELECT id, name, created_at FROM accounts WHERE name = @value ORDER BY id LIMIT 1", name, cancellationToken);

    public Task<long> CreateKeyAsync(long accountId, NewApiKey key, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, ct) => InsertKeyAsync(connection, accountId, key, Now(), ct), cancellationToken);

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {KeyColumns} FROM api_keys WHERE account_id = @account ORDER BY id";
        command.Parameters.AddWithValue("@account", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new ApiKeyRecord(
                Id: reader.GetInt64(0),
                AccountId: reader.GetInt64(1),
                Name: reader.IsDBNull(2) ? null : reader.GetString(2),
                Prefix: reader.GetString(3),
                Scopes: (KeyScopes)reader.GetInt32(4),
                CreatedAt: reader.GetInt64(5),
                LastUsedAt: reader.IsDBNull(6) ? null : reader.GetInt64(6),
                RevokedAt: reader.IsDBNull(7) ? null : reader.GetInt64(7)));
        }
        return keys;
    }

    public Task<bool> RevokeKeyAsync(long keyId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE api_keys SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL";
            command.Parameters.AddWithValue("@now", Now());
            command.Parameters.AddWithValue("@id", keyId);
            var revoked = await command.ExecuteNonQueryAsync(ct) == 1;
            if (revoked)
            {
                await BumpKeysVersionAsync(connection, ct);
            }
            return revoked;
        }, cancellationToken);

    public Task<KeyGrant?> FindActiveKeyAsync(byte[] secretHash, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(database.Read(
            "SELECT id, account_id, scopes FROM api_keys WHERE secret_hash = @hash AND revoked_at IS NULL",
            secretHash,
            static (command, hash) => command.Parameters.AddWithValue("@hash", hash),
            static (reader, _) => reader.Read()
                ? new KeyGrant(reader.GetInt64(0), reader.GetInt64(1), (KeyScopes)reader.GetInt32(2))
                : null));
    }

    public Task<KeyGrant?> FindActiveKeyByIdAsync(long keyId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(database.Read(
            "SELECT id, account_id, scopes FROM api_keys WHERE id = @id AND revoked_at IS NULL",
            keyId,
            static (command, id) => command.Parameters.AddWithValue("@id", id),
            static (reader, _) => reader.Read()
                ? new KeyGrant(reader.GetInt64(0), reader.GetInt64(1), (KeyScopes)reader.GetInt32(2))
                : null));
    }

    public async Task<long> GetKeysVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM counters WHERE name = 'keys_version'";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task RecordKeyUsageAsync(IReadOnlyCollection<KeyUsage> usage, CancellationToken cancellationToken)
    {
        if (usage.Count == 0)
        {
            return;
        }
        await database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText =
                "UPDATE api_keys SET last_used_at = @at WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at)";
            var at = command.Parameters.Add(new SqliteParameter { ParameterName = "@at" });
            var id = command.Parameters.Add(new SqliteParameter { ParameterName = "@id" });
            foreach (var (keyId, lastUsedAt) in usage)
            {
                at.Value = lastUsedAt;
                id.Value = keyId;
                await command.ExecuteNonQueryAsync(ct);
            }
            return usage.Count;
        }, cancellationToken);
    }

    private static async Task<long> InsertKeyAsync(SqliteConnection connection, long accountId, NewApiKey key, long now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText =
            "INSERT INTO api_keys (account_id, name, prefix, secret_hash, scopes, created_at) " +
            "VALUES (@account, @name, @prefix, @hash, @scopes, @now) RETURNING id";
        command.Parameters.AddWithValue("@account", accountId);
        command.Parameters.AddWithValue("@name", (object?)key.Name ?? DBNull.Value);
        command.Parameters.AddWithValue("@prefix", key.Prefix);
        command.Parameters.AddWithValue("@hash", key.SecretHash);
        command.Parameters.AddWithValue("@scopes", (int)key.Scopes);
        command.Parameters.AddWithValue("@now", now);
        var keyId = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        await BumpKeysVersionAsync(connection, cancellationToken);
        return keyId;
    }

    private static async Task BumpKeysVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE counters SET value = value + 1 WHERE name = 'keys_version'";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<AccountRecord?> QueryAccountAsync(string sql, object value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@value", value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new AccountRecord(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2))
            : null;
    }

    private long Now() => time.GetUtcNow().ToUnixTimeSeconds();
}
