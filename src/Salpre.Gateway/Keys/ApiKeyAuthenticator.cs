using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Salpre.Gateway.Telemetry;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Keys;

/// <summary>
/// Turns an <c>account-secret-key</c> header into a caller. Malformed keys are refused without I/O; known keys are
/// served from memory, so a request costs no database round trip. The cache is dropped whenever the database's key
/// version moves (see <see cref="KeyCacheRefresher"/>), which bounds how long a revoked key keeps working.
/// </summary>
public sealed class ApiKeyAuthenticator(IAccountStore accounts, TimeProvider time, IOptions<AuthenticationOptions> options, GatewayMetrics metrics)
{
    private readonly ConcurrentDictionary<KeyDigest, CachedKey> _known = new();
    private readonly ConcurrentDictionary<KeyDigest, long> _unknown = new();
    private readonly ConcurrentDictionary<long, UsageCell> _usage = new();
    private readonly ConcurrentDictionary<long, CachedGrant> _byId = new();
    private readonly AuthenticationOptions _options = options.Value;
    private long _generation;

    public ValueTask<ApiCaller?> AuthenticateAsync(string? key, CancellationToken cancellationToken)
    {
        if (key is null || !ApiKeyFormat.IsWellFormed(key))
        {
            return ValueTask.FromResult<ApiCaller?>(null);
        }
        var digest = ApiKeyFormat.Hash(key);
        var now = time.GetTimestamp();
        if (_known.TryGetValue(digest, out var cached) && now < cached.ExpiresAt)
        {
            metrics.KeyCacheHit();
            cached.Usage.Touch(time.GetUtcNow().ToUnixTimeSeconds());
            return ValueTask.FromResult<ApiCaller?>(cached.Caller);
        }
        if (_unknown.TryGetValue(digest, out var forgetAt) && now < forgetAt)
        {
            metrics.KeyCacheHit();
            return ValueTask.FromResult<ApiCaller?>(null);
        }
        metrics.KeyCacheMiss();
        return LoadAsync(digest, now, cancellationToken);
    }

    /// <summary>
    /// What a key known by its id (a dashboard session's) may still do: null once it is revoked. Answered from memory
    /// like <see cref="AuthenticateAsync"/>, and forgotten with the rest of the cache when any key is created or
    /// revoked, so a revoked key's sessions end within the same interval as its requests.
    /// </summary>
    public ValueTask<ApiCaller?> FindActiveAsync(long keyId, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (_byId.TryGetValue(keyId, out var cached) && now < cached.ExpiresAt)
        {
            metrics.KeyCacheHit();
            if (cached.Caller is not null)
            {
                _usage.GetOrAdd(keyId, static _ => new UsageCell()).Touch(time.GetUtcNow().ToUnixTimeSeconds());
            }
            return ValueTask.FromResult(cached.Caller);
        }
        metrics.KeyCacheMiss();
        return LoadByIdAsync(keyId, now, cancellationToken);
    }

    /// <summary>Forgets every cached answer; the next request for each key asks the database.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _known.Clear();
        _unknown.Clear();
        _byId.Clear();
    }

    /// <summary>Last-used times not yet written, for <see cref="KeyUsageFlusher"/>.</summary>
    public IReadOnlyList<KeyUsage> TakeUnflushedUsage()
    {
        var pending = new List<KeyUsage>();
        foreach (var (keyId, cell) in _usage)
        {
            if (cell.TakeUnflushed() is { } lastUsed)
            {
                pending.Add(new KeyUsage(keyId, lastUsed));
            }
        }
        return pending;
    }

    /// <summary>
    /// Gives back last-used times that a flush took but could not write (a full disk, an unreachable database), so
    /// that the next flush writes them instead of losing them.
    /// </summary>
    public void ReturnUnflushedUsage(IEnumerable<KeyUsage> usage)
    {
        foreach (var (keyId, lastUsedAt) in usage)
        {
            if (_usage.TryGetValue(keyId, out var cell))
            {
                cell.ReturnUnflushed(lastUsedAt);
            }
        }
    }

    private async ValueTask<ApiCaller?> LoadAsync(KeyDigest digest, long now, CancellationToken cancellationToken)
    {
        // A load that overlaps a Clear() must not cache what it read before the clear.
        var generation = Interlocked.Read(ref _generation);
        var grant = await accounts.FindActiveKeyAsync(digest.ToArray(), cancellationToken);
        var cacheable = generation == Interlocked.Read(ref _generation);
        var expiresAt = now + (long)(_options.CacheLifetime.TotalSeconds * time.TimestampFrequency);
        if (grant is null)
        {
            if (cacheable && _unknown.Count < _options.MaxRememberedUnknownKeys)
            {
                _unknown[digest] = expiresAt;
            }
            return null;
        }
        var usage = _usage.GetOrAdd(grant.KeyId, static _ => new UsageCell());
        usage.Touch(time.GetUtcNow().ToUnixTimeSeconds());
        var caller = new ApiCaller(grant.AccountId, grant.KeyId, grant.Scopes);
        if (cacheable)
        {
            _known[digest] = new CachedKey(caller, usage, expiresAt);
        }
        return caller;
    }

    private async ValueTask<ApiCaller?> LoadByIdAsync(long keyId, long now, CancellationToken cancellationToken)
    {
        var generation = Interlocked.Read(ref _generation);
        var grant = await accounts.FindActiveKeyByIdAsync(keyId, cancellationToken);
        var caller = grant is null ? null : new ApiCaller(grant.AccountId, grant.KeyId, grant.Scopes);
        if (caller is not null)
        {
            _usage.GetOrAdd(keyId, static _ => new UsageCell()).Touch(time.GetUtcNow().ToUnixTimeSeconds());
        }
        if (generation == Interlocked.Read(ref _generation) && _byId.Count < _options.MaxRememberedUnknownKeys)
        {
            _byId[keyId] = new CachedGrant(caller, now + (long)(_options.CacheLifetime.TotalSeconds * time.TimestampFrequency));
        }
        return caller;
    }

    private sealed record CachedGrant(ApiCaller? Caller, long ExpiresAt);

    private sealed record CachedKey(ApiCaller Caller, UsageCell Usage, long ExpiresAt);

    /// <summary>A key's last-used second, written by requests and read by the flusher, without locks.</summary>
    private sealed class UsageCell
    {
        private long _lastUsed;
        private long _flushed;

        public void Touch(long unixSeconds)
        {
            if (Volatile.Read(ref _lastUsed) < unixSeconds)
            {
                Volatile.Write(ref _lastUsed, unixSeconds);
            }
        }

        public long? TakeUnflushed()
        {
            var lastUsed = Volatile.Read(ref _lastUsed);
            if (lastUsed <= _flushed)
            {
                return null;
            }
            _flushed = lastUsed;
            return lastUsed;
        }

        // The flusher alone takes and returns, so _flushed needs no more than its own thread.
        public void ReturnUnflushed(long lastUsed) => _flushed = Math.Min(_flushed, lastUsed - 1);
    }
}
