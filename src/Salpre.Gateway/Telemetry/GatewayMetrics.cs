using System.Diagnostics.Metrics;
using Salpre.Storage;

namespace Salpre.Gateway.Telemetry;

/// <summary>
/// The gateway's own instruments, on the <c>Salpre.Gateway</c> meter. Labels take a few fixed values only: never a
/// key, its hash, an account, a phone number, a call id or a query string. Each count is one <c>Add</c> with a
/// static tag, nothing allocated; with no listener (metrics off) it costs a flag check.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Salpre.Gateway";

    private static readonly KeyValuePair<string, object?> s_keyLimit = new("kind", "key");
    private static readonly KeyValuePair<string, object?> s_makeCallLimit = new("kind", "make_call");
    private static readonly KeyValuePair<string, object?> s_hit = new("result", "hit");
    private static readonly KeyValuePair<string, object?> s_miss = new("result", "miss");
    private static readonly KeyValuePair<string, object?> s_unavailable = new("kind", "unavailable");
    private static readonly KeyValuePair<string, object?> s_other = new("kind", "other");

    // Indexed by RemovalReason and RetentionResult.
    private static readonly KeyValuePair<string, object?>[] s_removalReasons =
        [new("reason", "delete"), new("reason", "erasure"), new("reason", "retention")];
    private static readonly KeyValuePair<string, object?>[] s_retentionResults =
        [new("result", "done"), new("result", "skipped"), new("result", "failed")];

    private readonly Counter<long> _rateLimitRefusals;
    private readonly Counter<long> _keyCacheLookups;
    private readonly Counter<long> _databaseErrors;
    private readonly Counter<long> _callsRemoved;
    private readonly Counter<long> _detailsCleared;
    private readonly Counter<long> _retentionRuns;

    public enum RemovalReason { Delete, Erasure, Retention }

    public enum RetentionResult { Done, Skipped, Failed }

    public GatewayMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _rateLimitRefusals = meter.CreateCounter<long>("salpre.gateway.rate_limit.refusals", unit: "{request}",
            description: "Requests refused with 429: kind=key (the key's request rate) or make_call (the account's call rate).");
        _keyCacheLookups = meter.CreateCounter<long>("salpre.gateway.key_cache.lookups", unit: "{lookup}",
            description: "Well-formed keys looked up: result=hit (answered from memory) or miss (read from the database).");
        _databaseErrors = meter.CreateCounter<long>("salpre.gateway.database.errors", unit: "{error}",
            description: "Database faults met by requests and the key version check: kind=unavailable (answered 503) or other.");
        _callsRemoved = meter.CreateCounter<long>("salpre.gateway.calls.removed", unit: "{call}",
            description: "Calls deleted: reason=delete (DELETE /call/{id}), erasure (POST /erasures) or retention (Retention:CallsDays).");
        _detailsCleared = meter.CreateCounter<long>("salpre.gateway.call_details.cleared", unit: "{call}",
            description: "Calls whose recording URL, transcript and variables retention cleared (Retention:CallDetailsDays).");
        _retentionRuns = meter.CreateCounter<long>("salpre.gateway.retention.runs", unit: "{run}",
            description: "Runs of a retention rule: result=done, skipped (another node had the turn) or failed.");
    }

    public void CallsRemoved(long count, RemovalReason reason) => _callsRemoved.Add(count, s_removalReasons[(int)reason]);

    public void CallDetailsCleared(long count) => _detailsCleared.Add(count);

    public void RetentionRun(RetentionResult result) => _retentionRuns.Add(1, s_retentionResults[(int)result]);

    public void KeyRateLimited() => _rateLimitRefusals.Add(1, s_keyLimit);

    public void MakeCallRateLimited() => _rateLimitRefusals.Add(1, s_makeCallLimit);

    public void KeyCacheHit() => _keyCacheLookups.Add(1, s_hit);

    public void KeyCacheMiss() => _keyCacheLookups.Add(1, s_miss);

    /// <summary>Counts <paramref name="exception"/> if it came from the database; other faults are not database errors.</summary>
    public void Fault(Exception exception)
    {
        if (StorageErrors.IsUnavailable(exception))
        {
            _databaseErrors.Add(1, s_unavailable);
        }
        else if (StorageErrors.IsDatabaseError(exception))
        {
            _databaseErrors.Add(1, s_other);
        }
    }
}
