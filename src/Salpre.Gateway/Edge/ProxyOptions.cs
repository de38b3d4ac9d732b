using System.Net;

namespace Salpre.Gateway.Edge;

/// <summary>
/// <c>ForwardedHeaders</c>: the reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed.
/// None by default: a header any client can write would otherwise choose the address that throttles count against.
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Proxy addresses, such as <c>127.0.0.1</c> for nginx on the same machine.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form, such as <c>10.0.0.0/8</c> for a load balancer's subnet.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a row to step back through (a CDN in front of a load balancer is 2).</summary>
    public int ForwardLimit { get; set; } = 1;

    public IEnumerable<IPAddress> Proxies => KnownProxies.Select(IPAddress.Parse);

    public IEnumerable<IPNetwork> Networks => KnownNetworks.Select(network => IPNetwork.Parse(network));

    /// <summary>The first entry that cannot be read, with why; null when all can.</summary>
    public string? Problem()
    {
        if (ForwardLimit < 1)
        {
            return "ForwardedHeaders:ForwardLimit must be 1 or more.";
        }
        if (KnownProxies.FirstOrDefault(proxy => !IPAddress.TryParse(proxy, out _)) is { } badProxy)
        {
            return $"ForwardedHeaders:KnownProxies has '{badProxy}', which is not an IP address (such as 127.0.0.1 or ::1).";
        }
        if (KnownNetworks.FirstOrDefault(network => !IPNetwork.TryParse(network, out _)) is { } badNetwork)
        {
            return $"ForwardedHeaders:KnownNetworks has '{badNetwork}', which is not a network in CIDR form (such as 10.0.0.0/8).";
        }
        return null;
    }
}
