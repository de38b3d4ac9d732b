using System.ComponentModel.DataAnnotations;

namespace Salpre.Gateway.Webhooks;

/// <summary>Bound from the <c>Webhooks</c> configuration section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Whether endpoints may be <c>http://</c> (a LAN, a test); by default only <c>https://</c>.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.0.0.0/8</c>, <c>127.0.0.1/32</c>) that webhooks may reach although they are loopback,
    /// private, link-local, CGNAT or otherwise internal; everything internal is refused unless listed here.
    /// </summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>An attempt succeeds with a 2xx within this time.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Endpoints an account may have; a self-hosted gateway with a need for more raises it.</summary>
    [Range(1, 10000)]
    public int MaxEndpointsPerAccount { get; set; } = 20;

    /// <summary>Deliveries this node sends at once, across every endpoint.</summary>
    [Range(1, 1024)]
    public int Workers { get; set; } = 64;

    /// <summary>An endpoint's deliveries in flight at once, unless it says otherwise.</summary>
    [Range(1, 100)]
    public int DefaultMaxInFlight { get; set; } = 4;

    /// <summary>How long a claimed delivery is this node's; a node that dies leaves it to be sent again after this.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a node looks for work it was not woken for (retries that fall due, other nodes' writes).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>An endpoint that has not succeeded for this long is disabled.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>How long a rotated secret keeps signing beside the new one.</summary>
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The longest <c>Retry-After</c> honoured.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);
}
