using Salpre.Storage.Dashboard;

namespace Salpre.Storage.Postgres;

public sealed class PostgresDashboardStore(PostgresDatabase database, TimeProvider time) : IDashboardStore
{
    public IReadOnlyList<string> ListKeyRing()
    {
        using var connection = database.DataSource.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = DashboardSql.ListKeyRing;
        return DashboardSql.ReadKeyRing(command);
    }

    public void StoreKeyRingElement(string name, string xml)
    {
        using var connection = database.DataSource.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = DashboardSql.StoreKeyRingElement;
        DashboardSql.BindStore(command, name, xml);
        command.ExecuteNonQuery();
    }

    public Task CreateSignInTokenAsync(byte[] tokenHash, long keyId, long expiresAt, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, ct) =>
        {
            await DashboardSql.CreateAsync(connection, tokenHash, keyId, expiresAt, time.GetUtcNow().ToUnixTimeSeconds(), ct);
            return 0;
        }, cancellationToken);

    public Task<long?> ConsumeSignInTokenAsync(byte[] tokenHash, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, ct) => DashboardSql.ConsumeAsync(connection, tokenHash, now, ct), cancellationToken);
}
