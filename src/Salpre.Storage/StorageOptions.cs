namespace Salpre.Storage;

/// <summary>Bound from the <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (the default).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>For SQLite, a connection string or a bare file path; default <c>data/salpre.db</c>.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/salpre.db";
}
