using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Salpre.Storage;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Tests.Infrastructure;

/// <summary>A call store and storage that fail the way a broken database would, on demand.</summary>
public sealed class Faults
{
    /// <summary>The fault the next store call throws, or null to behave.</summary>
    public Exception? Next { get; set; }

    public static Faults Register(IServiceCollection services)
    {
        var faults = new Faults();
        services.AddSingleton(faults);
        services.AddSingleton<ICallStore>(sp => new FaultyCallStore(faults));
        // The provider's own storage (SQLite or PostgreSQL), as registered before this replaces it.
        var real = services.Last(service => service.ServiceType == typeof(IStorage)).ImplementationFactory!;
        services.AddSingleton<IStorage>(sp => new FaultyStorage(faults, (IStorage)real(sp)));
        return faults;
    }

    /// <summary>
    /// What the run's store throws when it cannot serve now: SQLite when the file is locked by another writer for too
    /// long, PostgreSQL when the server is shutting down.
    /// </summary>
    public static Exception Busy() => GatewayFactory.OnPostgres
        ? new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01")
        : new SqliteException("database is locked", 5);

    /// <summary>What the run's store throws for a statement it refuses (a broken constraint), not for being unreachable.</summary>
    public static Exception Constraint() => GatewayFactory.OnPostgres
        ? new PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", "23505")
        : new SqliteException("UNIQUE constraint failed", 19);

    /// <summary>A fault whose text must never reach a client.</summary>
    public static InvalidOperationException Internal() =>
        new("SELECT secret_hash FROM api_keys failed at /var/lib/salpre/data/salpre.db");

    private sealed class FaultyCallStore(Faults faults) : ICallStore
    {
        public Task<long> GetVersionAsync(long accountId, CancellationToken cancellationToken) => Throw<long>();
        public Task<IReadOnlyList<CallRecord>> ListAsync(long accountId, CallQuery query, CancellationToken cancellationToken) => Throw<IReadOnlyList<CallRecord>>();
        public Task<VersionedCalls> ListWithVersionAsync(long accountId, CallQuery query, CancellationToken cancellationToken) => Throw<VersionedCalls>();
        public Task<IReadOnlyList<CallDetailsRecord>> ListDetailsAsync(long accountId, CallQuery query, CancellationToken cancellationToken) => Throw<IReadOnlyList<CallDetailsRecord>>();
        public Task<long> CountAsync(long accountId, CallFilter filter, CancellationToken cancellationToken) => Throw<long>();
        public Task<IReadOnlyList<Storage.Calls.Stats.StatsRow>> GetStatsAsync(long accountId, Storage.Calls.Stats.StatsQuery query, CancellationToken cancellationToken) =>
            Throw<IReadOnlyList<Storage.Calls.Stats.StatsRow>>();
        public Task<CallDetailsRecord?> GetAsync(long accountId, long callNum, CancellationToken cancellationToken) => Throw<CallDetailsRecord?>();
        public Task<long> ReserveCallNumbersAsync(long count, long above, CancellationToken cancellationToken) => Throw<long>();
        public Task<ImportOutcome> ImportAsync(long accountId, IAsyncEnumerable<CallDetailsRecord> calls, bool withEvents, CancellationToken cancellationToken) => Throw<ImportOutcome>();
        public Task<CreateOutcome> CreateAsync(long accountId, NewCall call, IdempotencyClaim? claim, Func<CallRecord, byte[]> render, CancellationToken cancellationToken) => Throw<CreateOutcome>();
        public Task<CreateOutcome?> FindIdempotentAsync(long accountId, IdempotencyClaim claim, CancellationToken cancellationToken) => Throw<CreateOutcome?>();
        public Task<EventOutcome> RecordEventAsync(long accountId, long callNum, CallEvent report, CallOutcome? outcome, CancellationToken cancellationToken) => Throw<EventOutcome>();
        public Task<IReadOnlyList<CallEventRecord>?> ListEventsAsync(long accountId, long callNum, CancellationToken cancellationToken) => Throw<IReadOnlyList<CallEventRecord>?>();
        public Task<long> ForgetIdempotencyKeysAsync(long before, CancellationToken cancellationToken) => Throw<long>();

        private Task<T> Throw<T>() => Task.FromException<T>(faults.Next ?? new InvalidOperationException("No fault was set."));
    }

    private sealed class FaultyStorage(Faults faults, IStorage inner) : IStorage
    {
        public Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken) => inner.MigrateAsync(cancellationToken);
        public Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken) => inner.PendingMigrationsAsync(cancellationToken);
        public Task CheckAsync(CancellationToken cancellationToken) => faults.Next is { } fault ? Task.FromException(fault) : inner.CheckAsync(cancellationToken);
        public Task<byte[]> GetOrCreateSecretAsync(string name, byte[] candidate, CancellationToken cancellationToken) => inner.GetOrCreateSecretAsync(name, candidate, cancellationToken);
    }
}
