using System.Data.Common;
using Salpre.Storage.Calls;

namespace Salpre.Storage.Webhooks;

/// <summary>
/// Writes an event in the caller's transaction, with a delivery for every enabled endpoint of the account that takes
/// its type: the change and its event commit together or not at all. The same statements serve both stores.
/// </summary>
internal static class EventOutbox
{
    /// <summary>The position of the writing transaction: PostgreSQL's transaction id; SQLite's one writer needs none.</summary>
    public static string TxExpression(SqlDialect dialect) => dialect == SqlDialect.Postgres ? "(pg_current_xact_id()::text)::bigint" : "0";

    /// <summary>Appends an event; <paramref name="endpointId"/> limits its deliveries to one endpoint (a test event).</summary>
    public static async Task<EventPosition> AppendAsync(
        DbConnection connection, SqlDialect dialect, long accountId, string type, long now, string data, CancellationToken ct, long? endpointId = null)
    {
        EventPosition position;
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText = $"INSERT INTO events (tx, account_id, type, created_at, data) VALUES ({TxExpression(dialect)}, @account, @type, @now, @data) RETURNING tx, id";
            CallSql.Add(insert, "@account", accountId);
            CallSql.Add(insert, "@type", type);
            CallSql.Add(insert, "@now", now);
            CallSql.Add(insert, "@data", data);
            await using var reader = await insert.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            position = new EventPosition(reader.GetInt64(0), reader.GetInt64(1));
        }
        await using var fanOut = connection.CreateCommand();
        fanOut.CommandText =
            "INSERT INTO webhook_deliveries (endpoint_id, account_id, event_id, next_attempt_at, created_at, updated_at) " +
            "SELECT id, account_id, @event, @now, @now, @now FROM webhook_endpoints WHERE account_id = @account AND " +
            (endpointId is null ? "enabled = 1 AND (types & @bit) <> 0" : "id = @endpoint");
        CallSql.Add(fanOut, "@event", position.Id);
        CallSql.Add(fanOut, "@now", now);
        CallSql.Add(fanOut, "@account", accountId);
        CallSql.Add(fanOut, endpointId is null ? "@bit" : "@endpoint", endpointId ?? EventTypes.BitOf(type));
        await fanOut.ExecuteNonQueryAsync(ct);
        return position;
    }

    /// <summary>Tells the sink, once <paramref name="write"/> has committed, when it made an event.</summary>
    public static async Task<T> TellAsync<T>(IEventSink sink, Task<T> write, Func<T, bool> madeEvent)
    {
        var result = await write;
        if (madeEvent(result))
        {
            sink.Committed();
        }
        return result;
    }

    /// <summary>A call's event: its type follows its status; <paramref name="previous"/> is null for a new call.</summary>
    public static Task<EventPosition> AppendCallAsync(
        DbConnection connection, SqlDialect dialect, IEventSink sink, long accountId, CallRecord call, CallStatus? previous, int sequence, CancellationToken ct) =>
        AppendAsync(connection, dialect, accountId, EventTypes.Of(call.Status), sink.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            sink.CallData(call, previous, sequence), ct);
}
