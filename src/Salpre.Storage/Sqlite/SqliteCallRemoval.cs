using System.Data.Common;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Removal;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage.Sqlite;

/// <summary>
/// Call removal on SQLite. Every write runs with <c>secure_delete</c> (see <see cref="SqliteDatabase.WriteAsync{T}"/>),
/// so deleted rows are zeroed in the pages that held them; an erasure then moves the WAL into the file and empties it,
/// so that no older copy of those pages stays in <c>-wal</c>. One gateway serves the file: retention is always its turn.
/// </summary>
public sealed class SqliteCallRemoval(SqliteDatabase database, IEventSink sink) : CallRemovalStore(sink)
{
    private protected override SqlDialect Dialect => SqlDialect.Sqlite;

    private protected override Task<T> WriteAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, ct) => work(connection, ct), cancellationToken);

    private protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);

    private protected override Task ScrubAsync(CancellationToken cancellationToken) => database.TruncateWalAsync(cancellationToken);

    private protected override Task<IAsyncDisposable?> TakeRetentionTurnAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable?>(NoTurn.Instance);

    private sealed class NoTurn : IAsyncDisposable
    {
        public static readonly NoTurn Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
