using System.Data.Common;
using Salpre.Storage.Calls;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage.Sqlite;

/// <summary>The feed and webhooks on SQLite: its one writer makes every claim a single UPDATE ... RETURNING.</summary>
public sealed class SqliteWebhookStore(SqliteDatabase database, TimeProvider time) : WebhookStore(time)
{
    private protected override SqlDialect Dialect => SqlDialect.Sqlite;

    private protected override Task<T> WriteAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, ct) => work(connection, ct), cancellationToken);

    private protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);
}
