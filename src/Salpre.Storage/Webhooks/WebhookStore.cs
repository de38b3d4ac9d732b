using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Salpre.Storage.Calls;
using static Salpre.Storage.DbCommands;

namespace Salpre.Storage.Webhooks;

/// <summary>
/// The feed and the webhooks over either database: every statement is shared, and a store adds only how it opens and
/// writes, and (PostgreSQL) how a claim keeps other nodes off the endpoints it serves.
/// </summary>
public abstract class WebhookStore(TimeProvider time) : IWebhookStore
{
    private const string EndpointColumns =
        "id, account_id, url, description, types, enabled, disabled_reason, max_in_flight, secret, previous_secret, " +
        "previous_expires_at, created_at, updated_at, last_success_at, failing_since";

    /// <summary>Endpoint <c>w</c>'s deliveries in flight now (leased until after <c>@now</c>).</summary>
    private const string InFlight = "(SELECT count(*) FROM webhook_deliveries b WHERE b.endpoint_id = w.id AND b.state = 0 AND b.lease_until > @now)";

    private protected abstract SqlDialect Dialect { get; }

    /// <summary>Runs <paramref name="work"/> in a write transaction and commits it unless the work throws.</summary>
    private protected abstract Task<T> WriteAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    private protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Ends the query that picks the endpoints a claim serves: PostgreSQL locks them against other nodes' claims until
    /// it commits; SQLite has one writer at a time already.
    /// </summary>
    private protected virtual string ClaimLock => "";

    /// <summary>A predicate that hides events a transaction still running could yet come before (PostgreSQL).</summary>
    private protected virtual string VisibleEvents => "";

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    public Task<IReadOnlyList<EventRecord>> ListEventsAsync(long accountId, EventPosition after, IReadOnlyList<string> types, int limit, CancellationToken cancellationToken) =>
        ListEventsAsync(accountId, after, types, limit, newestFirst: false, cancellationToken);

    public Task<IReadOnlyList<EventRecord>> ListNewestEventsAsync(long accountId, EventPosition before, IReadOnlyList<string> types, int limit, CancellationToken cancellationToken) =>
        ListEventsAsync(accountId, before, types, limit, newestFirst: true, cancellationToken);

    private async Task<IReadOnlyList<EventRecord>> ListEventsAsync(
        long accountId, EventPosition from, IReadOnlyList<string> types, int limit, bool newestFirst, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("SELECT tx, id, type, created_at, data FROM events WHERE account_id = @account AND (tx, id) ")
            .Append(newestFirst ? "<" : ">").Append(" (@tx, @id)");
        sql.Append(types.Count == 0 ? $" AND type <> '{EventTypes.Test}'" : " AND type IN (" + string.Join(", ", types.Select((_, i) => $"@type{i}")) + ")");
        sql.Append(VisibleEvents).Append(newestFirst ? " ORDER BY tx DESC, id DESC LIMIT " : " ORDER BY tx, id LIMIT ").Append(limit);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, sql.ToString(), ("@account", accountId), ("@tx", from.Tx), ("@id", from.Id));
        for (var i = 0; i < types.Count; i++)
        {
            CallSql.Add(command, $"@type{i}", types[i]);
        }
        return await ReadAllAsync(command, ReadEvent, cancellationToken);
    }

    public Task<int> ForgetEventsAsync(long before, int limit, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            // One order, so that the three statements pick the same events.
            const string Old = "SELECT id FROM events WHERE created_at < @before ORDER BY created_at, id LIMIT @limit";
            await ExecuteAsync(connection, ct,
                $"DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE event_id IN ({Old}))",
                ("@before", before), ("@limit", limit));
            await ExecuteAsync(connection, ct, $"DELETE FROM webhook_deliveries WHERE event_id IN ({Old})", ("@before", before), ("@limit", limit));
            return await ExecuteAsync(connection, ct, $"DELETE FROM events WHERE id IN ({Old})", ("@before", before), ("@limit", limit));
        }, cancellationToken);

    public Task<EndpointRecord?> CreateEndpointAsync(long accountId, NewEndpoint endpoint, int limit, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                "INSERT INTO webhook_endpoints (account_id, url, description, types, enabled, max_in_flight, secret, created_at, updated_at) " +
                "SELECT @account, @url, @description, @types, 1, @max, @secret, @now, @now " +
                $"WHERE (SELECT count(*) FROM webhook_endpoints WHERE account_id = @account) < @limit RETURNING {EndpointColumns}",
                ("@account", accountId), ("@url", endpoint.Url), ("@description", endpoint.Description), ("@types", endpoint.Types),
                ("@max", endpoint.MaxInFlight), ("@secret", endpoint.Secret), ("@now", Now()), ("@limit", limit));
            return await FirstAsync(command, ReadEndpoint, ct);
        }, cancellationToken);

    public async Task<IReadOnlyList<EndpointRecord>> ListEndpointsAsync(long accountId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE account_id = @account ORDER BY id", ("@account", accountId));
        return await ReadAllAsync(command, ReadEndpoint, cancellationToken);
    }

    public async Task<EndpointRecord?> GetEndpointAsync(long accountId, long endpointId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await FindEndpointAsync(connection, accountId, endpointId, cancellationToken);
    }

    public Task<EndpointRecord?> UpdateEndpointAsync(long accountId, long endpointId, EndpointChange change, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            var sets = new List<string> { "updated_at = @now" };
            if (change.Url is not null) sets.Add("url = @url");
            if (change.Description is not null) sets.Add("description = @description");
            if (change.Types is not null) sets.Add("types = @types");
            if (change.MaxInFlight is not null) sets.Add("max_in_flight = @max");
            if (change.Enabled == true) sets.Add("enabled = 1, disabled_reason = NULL, failing_since = NULL");
            if (change.Enabled == false) sets.Add("enabled = 0, disabled_reason = 'disabled through the API'");
            await using var command = Command(connection,
                $"UPDATE webhook_endpoints SET {string.Join(", ", sets)} WHERE account_id = @account AND id = @id RETURNING {EndpointColumns}",
                ("@now", Now()), ("@account", accountId), ("@id", endpointId));
            if (change.Url is not null) CallSql.Add(command, "@url", change.Url);
            if (change.Description is not null) CallSql.Add(command, "@description", change.Description);
            if (change.Types is { } types) CallSql.Add(command, "@types", types);
            if (change.MaxInFlight is { } max) CallSql.Add(command, "@max", max);
            return await FirstAsync(command, ReadEndpoint, ct);
        }, cancellationToken);

    public Task<bool> DeleteEndpointAsync(long accountId, long endpointId, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            if (await FindEndpointAsync(connection, accountId, endpointId, ct) is null)
            {
                return false;
            }
            await ExecuteAsync(connection, ct,
                "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = @id)", ("@id", endpointId));
            await ExecuteAsync(connection, ct, "DELETE FROM webhook_deliveries WHERE endpoint_id = @id", ("@id", endpointId));
            await ExecuteAsync(connection, ct, "DELETE FROM webhook_endpoints WHERE id = @id", ("@id", endpointId));
            return true;
        }, cancellationToken);

    public Task<EndpointRecord?> RotateSecretAsync(long accountId, long endpointId, byte[] secret, long previousExpiresAt, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                "UPDATE webhook_endpoints SET previous_secret = secret, previous_expires_at = @expires, secret = @secret, updated_at = @now " +
                $"WHERE account_id = @account AND id = @id RETURNING {EndpointColumns}",
                ("@expires", previousExpiresAt), ("@secret", secret), ("@now", Now()), ("@account", accountId), ("@id", endpointId));
            return await FirstAsync(command, ReadEndpoint, ct);
        }, cancellationToken);

    public Task<EventPosition?> AddTestEventAsync(long accountId, long endpointId, string data, CancellationToken cancellationToken) =>
        WriteAsync<EventPosition?>(async (connection, ct) =>
            await FindEndpointAsync(connection, accountId, endpointId, ct) is null
                ? null
                : await EventOutbox.AppendAsync(connection, Dialect, accountId, EventTypes.Test, Now(), data, ct, endpointId),
            cancellationToken);

    public async Task<IReadOnlyList<DeliveryRecord>?> ListDeliveriesAsync(long accountId, long endpointId, long beforeId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        if (await FindEndpointAsync(connection, accountId, endpointId, cancellationToken) is null)
        {
            return null;
        }
        // One statement, so that a delivery and its attempts are read as of one moment (an attempt being recorded
        // is seen with the delivery's new state, or not at all).
        await using var command = Command(connection,
            "SELECT d.id, d.tx, d.event_id, d.type, d.state, d.attempts, d.next_attempt_at, d.created_at, d.lease_until, " +
            "a.started_at, a.http_status, a.latency_ms, a.error, a.response_body " +
            "FROM (SELECT d.id, e.tx, d.event_id, e.type, d.state, d.attempts, d.next_attempt_at, d.created_at, d.lease_until " +
            "      FROM webhook_deliveries d JOIN events e ON e.id = d.event_id " +
            $"      WHERE d.endpoint_id = @endpoint AND d.id < @before ORDER BY d.id DESC LIMIT {limit}) d " +
            "LEFT JOIN webhook_attempts a ON a.delivery_id = d.id ORDER BY d.id DESC, a.id",
            ("@endpoint", endpointId), ("@before", beforeId));
        var rows = await ReadAllAsync(command, static reader => (
            Delivery: new DeliveryRecord(reader.GetInt64(0), new EventPosition(reader.GetInt64(1), reader.GetInt64(2)), reader.GetString(3),
                (DeliveryState)reader.GetInt64(4), (int)reader.GetInt64(5), reader.GetInt64(4) == 0 ? Math.Max(reader.GetInt64(6), reader.GetInt64(8)) : null,
                reader.GetInt64(7), []),
            Attempt: reader.IsDBNull(9) ? null : new AttemptRecord(reader.GetInt64(9), reader.IsDBNull(10) ? null : (int)reader.GetInt64(10), reader.GetInt64(11),
                reader.IsDBNull(12) ? null : reader.GetString(12), reader.IsDBNull(13) ? null : reader.GetString(13))), cancellationToken);
        return [.. rows.GroupBy(row => row.Delivery.Id).Select(group => group.First().Delivery with
        {
            AttemptLog = [.. group.Select(row => row.Attempt).OfType<AttemptRecord>()],
        })];
    }

    public Task<DeliveryRetry> RetryDeliveryAsync(long accountId, long endpointId, long deliveryId, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            (string, object?)[] keys = [("@now", Now()), ("@id", deliveryId), ("@endpoint", endpointId), ("@account", accountId)];
            const string Delivery = "id = @id AND endpoint_id = @endpoint AND account_id = @account";
            if (await ExecuteAsync(connection, ct,
                    $"UPDATE webhook_deliveries SET state = 0, next_attempt_at = @now, updated_at = @now WHERE {Delivery} AND lease_until <= @now", keys) == 1)
            {
                return DeliveryRetry.Retried;
            }
            await using var exists = Command(connection, $"SELECT 1 FROM webhook_deliveries WHERE {Delivery}", keys[1..]);
            return await exists.ExecuteScalarAsync(ct) is null ? DeliveryRetry.NotFound : DeliveryRetry.InFlight;
        }, cancellationToken);

    public Task<long?> RecoverAsync(long accountId, long endpointId, long since, CancellationToken cancellationToken) =>
        WriteAsync<long?>(async (connection, ct) =>
            await FindEndpointAsync(connection, accountId, endpointId, ct) is null
                ? null
                : (long)await ExecuteAsync(connection, ct,
                    "UPDATE webhook_deliveries SET state = 0, next_attempt_at = @now, updated_at = @now " +
                    "WHERE endpoint_id = @endpoint AND state = 2 AND created_at >= @since",
                    ("@now", Now()), ("@endpoint", endpointId), ("@since", since)),
            cancellationToken);

    public async Task<long?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // Endpoints with all their slots taken are left out: a claim would find nothing to take from them (a claim is a
        // write, and on a busy node most wakes come while every endpoint is full).
        await using var command = Command(connection,
            "SELECT min((SELECT min(d.next_attempt_at) FROM webhook_deliveries d WHERE d.endpoint_id = w.id AND d.state = 0)) " +
            $"FROM webhook_endpoints w WHERE w.enabled = 1 AND w.max_in_flight > {InFlight}", ("@now", Now()));
        return await command.ExecuteScalarAsync(cancellationToken) is long due ? due : null;
    }

    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = Now();
        var token = RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var claimed = await WriteAsync(async (connection, ct) =>
        {
            // The endpoints with work due and room for it, the least recently served first (each a few index seeks, however
            // long the queue); on PostgreSQL locked against other nodes' claims until this one commits.
            await using var find = Command(connection,
                $"SELECT w.id FROM webhook_endpoints w WHERE w.enabled = 1 AND w.max_in_flight > {InFlight} " +
                "AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = w.id AND d.state = 0 AND d.next_attempt_at <= @now) " +
                $"ORDER BY w.claimed_at, w.id LIMIT {limit}{ClaimLock}", ("@now", now));
            var locked = await ReadAllAsync(find, static reader => reader.GetInt64(0), ct);
            if (locked.Count == 0)
            {
                return [];
            }
            // Their room counted again once they are locked: on PostgreSQL the statement that locked them saw only the
            // claims committed before it began, not one that committed while it waited.
            await using var rooms = Command(connection,
                $"SELECT w.id, w.max_in_flight - {InFlight} FROM webhook_endpoints w WHERE w.id IN ({string.Join(", ", locked)}) ORDER BY w.claimed_at, w.id",
                ("@now", now));
            var endpoints = (await ReadAllAsync(rooms, static reader => (Id: reader.GetInt64(0), Room: (int)reader.GetInt64(1)), ct))
                .Where(e => e.Room > 0).ToList();
            var claimedIds = new List<long>();
            foreach (var (endpoint, count) in Shares(endpoints, limit))
            {
                await using var claim = Command(connection,
                    "UPDATE webhook_deliveries SET lease_until = @lease, next_attempt_at = @lease, lease_token = @token, attempts = attempts + 1, updated_at = @now " +
                    "WHERE id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = @endpoint AND state = 0 AND next_attempt_at <= @now " +
                    $"ORDER BY next_attempt_at, id LIMIT {count}) RETURNING id",
                    ("@lease", now + (long)lease.TotalMilliseconds), ("@token", (long)token), ("@now", now), ("@endpoint", endpoint));
                claimedIds.AddRange(await ReadAllAsync(claim, static reader => reader.GetInt64(0), ct));
            }
            if (claimedIds.Count > 0)
            {
                await ExecuteAsync(connection, ct,
                    $"UPDATE webhook_endpoints SET claimed_at = @now WHERE id IN ({string.Join(", ", endpoints.Select(e => e.Id))})", ("@now", now));
            }
            return claimedIds;
        }, cancellationToken);
        if (claimed.Count == 0)
        {
            return [];
        }
        await using var connection = await OpenAsync(cancellationToken);
        await using var read = Command(connection,
            "SELECT d.id, d.lease_token, d.attempts, w.id, w.url, w.secret, w.previous_secret, w.previous_expires_at, e.tx, e.id, e.type, e.created_at, e.data " +
            "FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id JOIN events e ON e.id = d.event_id " +
            $"WHERE d.id IN ({string.Join(", ", claimed)}) AND d.lease_token = @token ORDER BY d.id", ("@token", (long)token));
        return await ReadAllAsync(read, static reader => new ClaimedDelivery(
            reader.GetInt64(0), reader.GetInt64(1), (int)reader.GetInt64(2), reader.GetInt64(3), reader.GetString(4), (byte[])reader[5],
            reader.IsDBNull(6) ? null : (byte[])reader[6], reader.IsDBNull(7) ? null : reader.GetInt64(7), ReadEvent(reader, 8)), cancellationToken);
    }

    public Task CompleteAsync(IReadOnlyList<DeliveryResult> results, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            var now = Now();
            // A few statements for the whole batch: the deliveries still their claim's take their outcome ...
            var outcomes = new List<(string Name, object? Value)> { ("@now", now) };
            var rows = results.Select((result, i) =>
            {
                var (state, next) = result.Verdict switch
                {
                    DeliveryVerdict.Succeeded => (DeliveryState.Succeeded, 0L),
                    DeliveryVerdict.Retry => (DeliveryState.Pending, result.NextAttemptAt!.Value),
                    _ => (DeliveryState.Failed, 0L),
                };
                outcomes.AddRange([($"@id{i}", result.Delivery.Id), ($"@token{i}", result.Delivery.LeaseToken), ($"@state{i}", (long)state), ($"@next{i}", next)]);
                return $"(@id{i}, @token{i}, @state{i}, @next{i})";
            });
            await using var update = Command(connection,
                "UPDATE webhook_deliveries SET state = v.column3, next_attempt_at = v.column4, lease_until = 0, updated_at = @now " +
                $"FROM (VALUES {string.Join(", ", rows)}) AS v " +
                "WHERE webhook_deliveries.id = v.column1 AND webhook_deliveries.lease_token = v.column2 AND webhook_deliveries.state = 0 " +
                "RETURNING webhook_deliveries.id", [.. outcomes]);
            // (the others were deleted, or claimed again after their lease ran out: that claim records its own attempt)
            var mine = (await ReadAllAsync(update, static reader => reader.GetInt64(0), ct)).ToHashSet();
            var recorded = results.Where(r => mine.Contains(r.Delivery.Id)).ToList();
            if (recorded.Count == 0)
            {
                return 0;
            }

            // ... their attempts are added ...
            var attempts = new List<(string Name, object? Value)>();
            var values = recorded.Select((result, i) =>
            {
                attempts.AddRange([($"@delivery{i}", result.Delivery.Id), ($"@started{i}", result.StartedAt), ($"@status{i}", (long?)result.HttpStatus),
                    ($"@latency{i}", result.LatencyMs), ($"@error{i}", result.Error), ($"@body{i}", result.ResponseBody)]);
                return $"(@delivery{i}, @started{i}, @status{i}, @latency{i}, @error{i}, @body{i})";
            });
            await ExecuteAsync(connection, ct,
                $"INSERT INTO webhook_attempts (delivery_id, started_at, http_status, latency_ms, error, response_body) VALUES {string.Join(", ", values)}",
                [.. attempts]);

            // ... and their endpoints learn of them, in endpoint order on every node (so that two nodes' batches never wait
            // on each other in a circle): failures one by one (rare), then a success clears the failure clock.
            foreach (var endpoint in recorded.GroupBy(r => r.Delivery.EndpointId).OrderBy(g => g.Key))
            {
                foreach (var failed in endpoint.Where(r => r.Verdict != DeliveryVerdict.Succeeded))
                {
                    await RecordFailureAsync(connection, failed, now, ct);
                }
                if (endpoint.Any(r => r.Verdict == DeliveryVerdict.Succeeded))
                {
                    await ExecuteAsync(connection, ct, "UPDATE webhook_endpoints SET last_success_at = @now, failing_since = NULL WHERE id = @endpoint",
                        ("@now", now), ("@endpoint", endpoint.Key));
                }
            }
            return recorded.Count;
        }, cancellationToken);

    /// <summary>
    /// How many of <paramref name="limit"/> claims each endpoint gets: one each in turn (in the order given), as long as
    /// it has room, so that a node's workers are shared across endpoints rather than filled by the first.
    /// </summary>
    internal static IEnumerable<(long Endpoint, int Count)> Shares(IReadOnlyList<(long Id, int Room)> endpoints, int limit)
    {
        var counts = new int[endpoints.Count];
        for (var given = 0; given < limit;)
        {
            var before = given;
            for (var i = 0; i < endpoints.Count && given < limit; i++)
            {
                if (counts[i] < endpoints[i].Room)
                {
                    counts[i]++;
                    given++;
                }
            }
            if (given == before)
            {
                break;
            }
        }
        return endpoints.Select((e, i) => (e.Id, counts[i])).Where(share => share.Item2 > 0);
    }

    /// <summary>A failed attempt: a 410 disables its endpoint at once; otherwise its endpoint's failure clock runs, and disables it once it has run too long.</summary>
    private static async Task RecordFailureAsync(DbConnection connection, DeliveryResult result, long now, CancellationToken ct)
    {
        var endpoint = result.Delivery.EndpointId;
        if (result.Verdict == DeliveryVerdict.Gone)
        {
            await ExecuteAsync(connection, ct,
                "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = 'the endpoint answered 410 Gone', updated_at = @now WHERE id = @endpoint",
                ("@now", now), ("@endpoint", endpoint));
            return;
        }
        await ExecuteAsync(connection, ct,
            "UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, @started) WHERE id = @endpoint",
            ("@started", result.StartedAt), ("@endpoint", endpoint));
        await ExecuteAsync(connection, ct,
            "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = @reason, updated_at = @now " +
            "WHERE id = @endpoint AND enabled = 1 AND failing_since <= @limit",
            ("@reason", result.DisableReason), ("@now", now), ("@endpoint", endpoint), ("@limit", result.DisableFailingSince));
    }

    private static async Task<EndpointRecord?> FindEndpointAsync(DbConnection connection, long accountId, long endpointId, CancellationToken ct)
    {
        await using var command = Command(connection, $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE account_id = @account AND id = @id",
            ("@account", accountId), ("@id", endpointId));
        return await FirstAsync(command, ReadEndpoint, ct);
    }

    private static EventRecord ReadEvent(DbDataReader reader) => ReadEvent(reader, 0);

    private static EventRecord ReadEvent(DbDataReader reader, int first) => new(
        new EventPosition(reader.GetInt64(first), reader.GetInt64(first + 1)), reader.GetString(first + 2), reader.GetInt64(first + 3), reader.GetString(first + 4));

    private static EndpointRecord ReadEndpoint(DbDataReader reader) => new(
        Id: reader.GetInt64(0),
        AccountId: reader.GetInt64(1),
        Url: reader.GetString(2),
        Description: reader.IsDBNull(3) ? null : reader.GetString(3),
        Types: reader.GetInt64(4),
        Enabled: reader.GetInt64(5) == 1,
        DisabledReason: reader.IsDBNull(6) ? null : reader.GetString(6),
        MaxInFlight: (int)reader.GetInt64(7),
        Secret: (byte[])reader[8],
        PreviousSecret: reader.IsDBNull(9) ? null : (byte[])reader[9],
        PreviousExpiresAt: reader.IsDBNull(10) ? null : reader.GetInt64(10),
        CreatedAt: reader.GetInt64(11),
        UpdatedAt: reader.GetInt64(12),
        LastSuccessAt: reader.IsDBNull(13) ? null : reader.GetInt64(13),
        FailingSince: reader.IsDBNull(14) ? null : reader.GetInt64(14));
}
