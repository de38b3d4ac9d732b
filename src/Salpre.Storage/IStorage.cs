namespace Salpre.Storage;

/// <summary>The database as a whole: its schema, its health, and the secrets the gateway keeps in it.</summary>
public interface IStorage
{
    /// <summary>Applies pending schema migrations; returns the names of the scripts it ran.</summary>
    Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The names of the migration scripts not yet applied (all of them on an empty database).</summary>
    Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken);

    /// <summary>Throws when the database cannot answer a trivial query.</summary>
    Task CheckAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Returns the stored secret of this name, first storing <paramref name="candidate"/> if there is none, so that
    /// every node that starts together ends up with the same secret.
    /// </summary>
    Task<byte[]> GetOrCreateSecretAsync(string name, byte[] candidate, CancellationToken cancellationToken);
}
