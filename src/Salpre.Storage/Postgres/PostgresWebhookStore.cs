using System.Data.Common;
using Salpre.Storage.Calls;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage.Postgres;

/// <summary>
/// The feed and webhooks on PostgreSQL. A claim first locks the endpoints with due work that no other node is
/// claiming for (<c>FOR UPDATE SKIP LOCKED</c>), then claims for those alone, so two nodes never lease one delivery
/// and an endpoint's max_in_flight holds across nodes.
/// </summary>
public sealed class PostgresWebhookStore(PostgresDatabase database, TimeProvider time) : WebhookStore(time)
{
    private protected override SqlDialect Dialect => SqlDialect.Postgres;

    // Below the oldest transaction still running nothing can be added: an event is shown once nothing can come before it.
    private protected override string VisibleEvents => " AND tx < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint";

    private protected override Task<T> WriteAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, ct) => work(connection, ct), cancellationToken);

    private protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);

    private protected override string ClaimLock => " FOR UPDATE SKIP LOCKED";
}
