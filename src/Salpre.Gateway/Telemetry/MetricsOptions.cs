namespace Salpre.Gateway.Telemetry;

/// <summary>Bound from the <c>Metrics</c> configuration section.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";
    public const string DefaultUrls = "http://127.0.0.1:9464";
    public const string Path = "/metrics";

    /// <summary>Serve Prometheus' <c>/metrics</c> on <see cref="Urls"/> (off by default).</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Where <c>/metrics</c> is served, and nothing else: addresses of their own (';' between several), each with a
    /// fixed port that no API address uses, so that the API's listeners never answer it.
    /// </summary>
    public string Urls { get; set; } = DefaultUrls;
}
