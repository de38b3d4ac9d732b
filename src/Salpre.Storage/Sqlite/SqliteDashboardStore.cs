using Salpre.Storage.Dashboard;

namespace Salpre.Storage.Sqlite;

public sealed class SqliteDashboardStore(SqliteDatabase database, TimeProvider time) : IDashboardStore
{
    public IReadOnlyList<string> ListKeyRing()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = DashboardSql.ListKeyRing;
        return DashboardSql.ReadKeyRing(command);
    }

    public void StoreKeyRingElement(string name, string xml) =>
        database.Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = DashboardSql.StoreKeyRingElement;
            DashboardSql.BindStore(command, name, xml);
            return command.ExecuteNonQuery();
        });

    public Task CreateSignInTokenAsync(byte[] tokenHash, long keyId, long expiresAt, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, ct) =>
        {
            await DashboardSql.CreateAsync(connection, tokenHash, keyId, expiresAt, time.GetUtcNow().ToUnixTimeSeconds(), ct);
            return 0;
        }, cancellationToken);

    public Task<long?> ConsumeSignInTokenAsync(byte[] tokenHash, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, ct) => DashboardSql.ConsumeAsync(connection, tokenHash, now, ct), cancellationToken);
}
