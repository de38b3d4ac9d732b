namespace Salpre.Gateway.Keys;

/// <summary>Bound from the <c>Authentication</c> configuration section.</summary>
public sealed class AuthenticationOptions
{
    public const string Section = "Authentication";

    /// <summary>How often each node asks the database whether any key was created or revoked.</summary>
    public TimeSpan RevocationCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a cached key is trusted without asking the database again.</summary>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often last-used times are written to the database.</summary>
    public TimeSpan UsageFlushInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>At most this many unknown keys are remembered, so guessing keys cannot exhaust memory.</summary>
    public int MaxRememberedUnknownKeys { get; set; } = 10_000;
}
