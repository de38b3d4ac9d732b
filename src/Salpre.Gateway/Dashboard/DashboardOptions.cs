namespace Salpre.Gateway.Dashboard;

/// <summary>Bound from the <c>Dashboard</c> configuration section.</summary>
public sealed class DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>Serve the dashboard at <c>/dashboard</c> (and lead <c>/</c> there).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a sign-in lasts; the key's revocation ends it sooner.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Failed sign-ins a client address may make per minute before it is told to wait.</summary>
    public int SignInFailuresPerMinute { get; set; } = 10;

    /// <summary>How often each node reads the calls version and boxes of the accounts that dashboards watch.</summary>
    public TimeSpan LiveInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often an open live stream gets a ping, so that proxies keep it open.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(15);
}
