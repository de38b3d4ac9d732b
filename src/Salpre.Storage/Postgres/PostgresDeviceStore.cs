using Npgsql;
using Salpre.Storage.Calls;
using Salpre.Storage.Devices;
using Salpre.Storage.Webhooks;
using static Salpre.Storage.Postgres.PostgresSql;

namespace Salpre.Storage.Postgres;

public sealed class PostgresDeviceStore(PostgresDatabase database, TimeProvider time, IEventSink sink) : IDeviceStore
{
    private const string Columns = "id, account_id, serial_no, device_name, created_at, last_seen, battery_level, firmware_version";

    public async Task<DeviceRecord?> AddAsync(long accountId, string serialNo, string deviceName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            $"INSERT INTO devices (account_id, serial_no, device_name, created_at) VALUES (@account, @serial, @name, @now) " +
            $"ON CONFLICT (serial_no) DO NOTHING RETURNING {Columns}",
            ("account", accountId), ("serial", serialNo), ("name", deviceName), ("now", Now()));
        return await FirstAsync(command, Read, cancellationToken);
    }

    public async Task<IReadOnlyList<DeviceRecord>> ListAsync(long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {Columns} FROM devices WHERE account_id = @account ORDER BY id", ("account", accountId));
        return await ReadAllAsync(command, Read, cancellationToken);
    }

    public async Task<bool> RemoveAsync(long deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ExecuteAsync(connection, cancellationToken, "DELETE FROM devices WHERE id = @id", ("id", deviceId)) == 1;
    }

    public async Task<DeviceRecord?> FindAsync(long accountId, string serialNo, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {Columns} FROM devices WHERE account_id = @account AND serial_no = @serial",
            ("account", accountId), ("serial", serialNo));
        return await FirstAsync(command, Read, cancellationToken);
    }

    public async Task<DeviceRecord?> RecordHeartbeatAsync(long accountId, string serialNo, int? batteryLevel, string? firmwareVersion, CancellationToken cancellationToken) =>
        (await EventOutbox.TellAsync(sink, database.WriteAsync(async (connection, ct) =>
        {
            DeviceRecord? device;
            await using (var command = Command(connection,
                "UPDATE devices SET last_seen = @now, battery_level = coalesce(@battery, battery_level), " +
                "firmware_version = coalesce(@firmware, firmware_version) " +
                $"WHERE account_id = @account AND serial_no = @serial RETURNING {Columns}",
                ("now", Now()), ("battery", batteryLevel), ("firmware", firmwareVersion), ("account", accountId), ("serial", serialNo)))
            {
                device = await FirstAsync(command, Read, ct);
            }
            return (Device: device, Told: device is not null && await EventOutbox.TellConnectedAsync(connection, SqlDialect.Postgres, sink, device, ct));
        }, cancellationToken), beat => beat.Told)).Device;

    public Task<int> TellDisconnectedAsync(long lastSeenBefore, CancellationToken cancellationToken) =>
        EventOutbox.TellAsync(sink, database.WriteAsync((connection, ct) =>
            EventOutbox.TellDisconnectedAsync(connection, SqlDialect.Postgres, sink, lastSeenBefore, reader => Read((Npgsql.NpgsqlDataReader)reader), Columns, ct),
            cancellationToken), told => told > 0);

    private long Now() => time.GetUtcNow().ToUnixTimeSeconds();

    private static DeviceRecord Read(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetInt64(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetInt64(4),
        reader.IsDBNull(5) ? null : reader.GetInt64(5),
        reader.IsDBNull(6) ? null : reader.GetInt32(6),
        reader.IsDBNull(7) ? null : reader.GetString(7));
}
