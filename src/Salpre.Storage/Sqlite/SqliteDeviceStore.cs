using Microsoft.Data.Sqlite;
using Salpre.Storage.Calls;
using Salpre.Storage.Devices;
using Salpre.Storage.Webhooks;

namespace Salpre.Storage.Sqlite;

public sealed class SqliteDeviceStore(SqliteDatabase database, TimeProvider time, IEventSink sink) : IDeviceStore
{
    private const string Columns = "id, account_id, serial_no, device_name, created_at, last_seen, battery_level, firmware_version";

    public Task<DeviceRecord?> AddAsync(long accountId, string serialNo, string deviceName, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText =
                $"INSERT INTO devices (account_id, serial_no, device_name, created_at) VALUES (@account, @serial, @name, @now) " +
                $"ON CONFLICT (serial_no) DO NOTHING RETURNING {Columns}";
            command.Parameters.AddWithValue("@account", accountId);
            command.Parameters.AddWithValue("@serial", serialNo);
            command.Parameters.AddWithValue("@name", deviceName);
            command.Parameters.AddWithValue("@now", time.GetUtcNow().ToUnixTimeSeconds());
            return await ReadOneAsync(command, ct);
        }, cancellationToken);

    public async Task<IReadOnlyList<DeviceRecord>> ListAsync(long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM devices WHERE account_id = @account ORDER BY id";
        command.Parameters.AddWithValue("@account", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var devices = new List<DeviceRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            devices.Add(Read(reader));
        }
        return devices;
    }

    public Task<bool> RemoveAsync(long deviceId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM devices WHERE id = @id";
            command.Parameters.AddWithValue("@id", deviceId);
            return await command.ExecuteNonQueryAsync(ct) == 1;
        }, cancellationToken);

    public async Task<DeviceRecord?> FindAsync(long accountId, string serialNo, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM devices WHERE account_id = @account AND serial_no = @serial";
        command.Parameters.AddWithValue("@account", accountId);
        command.Parameters.AddWithValue("@serial", serialNo);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<DeviceRecord?> RecordHeartbeatAsync(long accountId, string serialNo, int? batteryLevel, string? firmwareVersion, CancellationToken cancellationToken) =>
        (await EventOutbox.TellAsync(sink, database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText =
                "UPDATE devices SET last_seen = @now, battery_level = coalesce(@battery, battery_level), " +
                "firmware_version = coalesce(@firmware, firmware_version) " +
                $"WHERE account_id = @account AND serial_no = @serial RETURNING {Columns}";
            command.Parameters.AddWithValue("@now", time.GetUtcNow().ToUnixTimeSeconds());
            command.Parameters.AddWithValue("@battery", (object?)batteryLevel ?? DBNull.Value);
            command.Parameters.AddWithValue("@firmware", (object?)firmwareVersion ?? DBNull.Value);
            command.Parameters.AddWithValue("@account", accountId);
            command.Parameters.AddWithValue("@serial", serialNo);
            var device = await ReadOneAsync(command, ct);
            return (Device: device, Told: device is not null && await EventOutbox.TellConnectedAsync(connection, SqlDialect.Sqlite, sink, device, ct));
        }, cancellationToken), beat => beat.Told)).Device;

    public Task<int> TellDisconnectedAsync(long lastSeenBefore, CancellationToken cancellationToken) =>
        EventOutbox.TellAsync(sink, database.WriteAsync((connection, ct) =>
            EventOutbox.TellDisconnectedAsync(connection, SqlDialect.Sqlite, sink, lastSeenBefore, reader => Read((SqliteDataReader)reader), Columns, ct),
            cancellationToken), told => told > 0);

    private static async Task<DeviceRecord?> ReadOneAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static DeviceRecord Read(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetInt64(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetInt64(4),
        reader.IsDBNull(5) ? null : reader.GetInt64(5),
        reader.IsDBNull(6) ? null : reader.GetInt32(6),
        reader.IsDBNull(7) ? null : reader.GetString(7));
}
