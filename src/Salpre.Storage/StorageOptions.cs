namespace Salpre.Storage;

/// <summary>Bound from the <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (the default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>
    /// For SQLite, a connection string or a bare file path; default <c>data/salpre.db</c>. For PostgreSQL, an Npgsql
    /// connection string (<c>Host=...;Database=...;Username=...</c>).
    /// </summary>
    public string ConnectionString { get; set; } = "Data Source=data/salpre.db";

    /// <summary>
    /// Whether the gateway migrates the schema when it starts. Unset means yes for SQLite (a first run just works)
    /// and no for PostgreSQL, where an operator runs <c>migrate</c> once per release instead of every node at start.
    /// </summary>
    public bool? MigrateOnStart { get; set; }

    public bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);

    public bool ShouldMigrateOnStart => MigrateOnStart ?? !IsPostgres;
}
