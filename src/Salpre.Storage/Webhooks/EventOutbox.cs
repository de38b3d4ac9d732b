using System.Data.Common;
using Salpre.Storage.Calls;
using Salpre.Storage.Devices;

namespace Salpre.Storage.Webhooks;

/// <summary>
/// Writes an event in the caller's transaction, with a delivery for every enabled endpoint of the account that takes
/// its type: the change and its event commit together or not at all. The same statements serve both stores.
/// </summary>
internal static class EventOutbox
{
    /// <summary>The position of the writing transaction: PostgreSQL's transaction id; SQLite's one writer needs none.</summary>
    public static string TxExpression(SqlDialect dialect) => dialect == SqlDialect.Postgres ? "(pg_current_xact_id()::text)::bigint" : "0";

    /// <summary>
    /// The id of the event this transaction inserted last: the session's value of the id sequence on PostgreSQL; on
    /// SQLite, whose one writer makes it the newest (last_insert_rowid() would move on with each delivery inserted).
    /// </summary>
    private static string LastEventId(SqlDialect dialect) =>
        dialect == SqlDialect.Postgres ? "currval(pg_get_serial_sequence('events', 'id'))" : "(SELECT max(id) FROM events)";

    // call_num finds a call's events when the call is deleted; call.deleted itself outlives the call, so it has none.
    private static string InsertSql(SqlDialect dialect) =>
        $"INSERT INTO events (tx, account_id, type, created_at, data, call_num) VALUES ({TxExpression(dialect)}, @account, @type, @now, @data, @call)";

    /// <summary>A delivery of event <paramref name="eventId"/> (an SQL expression) for every endpoint that takes its type.</summary>
    private static string FanOutSql(string eventId, bool oneEndpoint) =>
        "INSERT INTO webhook_deliveries (endpoint_id, account_id, event_id, next_attempt_at, created_at, updated_at) " +
        $"SELECT id, account_id, {eventId}, @now, @now, @now FROM webhook_endpoints WHERE account_id = @account AND " +
        (oneEndpoint ? "id = @endpoint" : "enabled = 1 AND (types & @bit) <> 0");

    /// <summary>Appends an event; <paramref name="endpointId"/> limits its deliveries to one endpoint (a test event).</summary>
    public static async Task<EventPosition> AppendAsync(
        DbConnection connection, SqlDialect dialect, long accountId, string type, long now, string data, CancellationToken ct, long? endpointId = null)
    {
        EventPosition position;
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText = InsertSql(dialect) + " RETURNING tx, id";
            CallSql.Add(insert, "@account", accountId);
            CallSql.Add(insert, "@type", type);
            CallSql.Add(insert, "@now", now);
            CallSql.Add(insert, "@data", data);
            CallSql.Add(insert, "@call", DBNull.Value);
            await using var reader = await insert.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            position = new EventPosition(reader.GetInt64(0), reader.GetInt64(1));
        }
        await using var fanOut = connection.CreateCommand();
        fanOut.CommandText = FanOutSql("@event", oneEndpoint: endpointId is not null);
        CallSql.Add(fanOut, "@event", position.Id);
        CallSql.Add(fanOut, "@now", now);
        CallSql.Add(fanOut, "@account", accountId);
        CallSql.Add(fanOut, endpointId is null ? "@bit" : "@endpoint", endpointId ?? EventTypes.BitOf(type));
        await fanOut.ExecuteNonQueryAsync(ct);
        return position;
    }

    /// <summary>
    /// Adds a call's event and its deliveries to <paramref name="batch"/>: its type follows its status;
    /// <paramref name="previous"/> is null for a new call. Returns the deliveries' statement, which counts them once
    /// the batch has run.
    /// </summary>
    public static SqlBatch.Statement AppendCall(SqlBatch batch, SqlDialect dialect, IEventSink sink, long accountId, CallRecord call, CallStatus? previous, int sequence)
    {
        var type = EventTypes.Of(call.Status);
        return Append(batch, dialect, sink, accountId, type, sink.CallData(call, previous, sequence), call.CallNum);
    }

    /// <summary>Adds a deleted call's <c>call.deleted</c> event and its deliveries to <paramref name="batch"/>, as <see cref="AppendCall"/> does.</summary>
    public static SqlBatch.Statement AppendDeleted(SqlBatch batch, SqlDialect dialect, IEventSink sink, long accountId, long callNum) =>
        Append(batch, dialect, sink, accountId, EventTypes.CallDeleted, sink.DeletedCallData(callNum), callNum: null);

    private static SqlBatch.Statement Append(SqlBatch batch, SqlDialect dialect, IEventSink sink, long accountId, string type, string data, long? callNum)
    {
        var now = sink.Time.GetUtcNow().ToUnixTimeMilliseconds();
        batch.Add(InsertSql(dialect), ("@account", accountId), ("@type", type), ("@now", now), ("@data", data), ("@call", callNum));
        return batch.Add(FanOutSql(LastEventId(dialect), oneEndpoint: false), ("@now", now), ("@account", accountId), ("@bit", EventTypes.BitOf(type)));
    }

    /// <summary>Tells the sink, once <paramref name="write"/> has committed, when it made deliveries (or may have).</summary>
    public static async Task<T> TellAsync<T>(IEventSink sink, Task<T> write, Func<T, bool> madeDeliveries)
    {
        var result = await write;
        if (madeDeliveries(result))
        {
            sink.Committed();
        }
        return result;
    }

    /// <summary>
    /// After a heartbeat, in its transaction: the box's <c>device.connected</c> event when its connection was not told
    /// yet (its first heartbeat, or the first since it was told disconnected).
    /// </summary>
    public static async Task<bool> TellConnectedAsync(DbConnection connection, SqlDialect dialect, IEventSink sink, DeviceRecord device, CancellationToken ct)
    {
        if (!sink.DeviceEvents)
        {
            return false;
        }
        await using var told = connection.CreateCommand();
        told.CommandText = "UPDATE devices SET connected_told = 1 WHERE id = @id AND connected_told = 0";
        CallSql.Add(told, "@id", device.Id);
        if (await told.ExecuteNonQueryAsync(ct) == 1)
        {
            await AppendAsync(connection, dialect, device.AccountId, EventTypes.DeviceConnected, sink.Time.GetUtcNow().ToUnixTimeMilliseconds(),
                sink.DeviceData(device, connected: true), ct);
            return true;
        }
        return false;
    }

    /// <summary>
    /// The <c>device.disconnected</c> event of every box told connected whose last heartbeat is before
    /// <paramref name="lastSeenBefore"/> (Unix seconds), in the caller's transaction; how many.
    /// </summary>
    public static async Task<int> TellDisconnectedAsync(
        DbConnection connection, SqlDialect dialect, IEventSink sink, long lastSeenBefore, Func<DbDataReader, DeviceRecord> read, string columns, CancellationToken ct)
    {
        var gone = new List<DeviceRecord>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE devices SET connected_told = 0 WHERE connected_told = 1 AND (last_seen IS NULL OR last_seen < @before) " +
                                  $"RETURNING {columns}";
            CallSql.Add(command, "@before", lastSeenBefore);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                gone.Add(read(reader));
            }
        }
        foreach (var device in gone)
        {
            await AppendAsync(connection, dialect, device.AccountId, EventTypes.DeviceDisconnected, sink.Time.GetUtcNow().ToUnixTimeMilliseconds(),
                sink.DeviceData(device, connected: false), ct);
        }
        return gone.Count;
    }

    /// <summary>A call's event, written now (see <see cref="AppendCall"/>).</summary>
    public static Task AppendCallAsync(
        DbConnection connection, SqlDialect dialect, IEventSink sink, long accountId, CallRecord call, CallStatus? previous, int sequence, CancellationToken ct)
    {
        var batch = new SqlBatch();
        AppendCall(batch, dialect, sink, accountId, call, previous, sequence);
        return batch.ExecuteAsync(connection, ct);
    }
}
