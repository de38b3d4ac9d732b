using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Salpre.Gateway.Webhooks;

/// <summary>
/// Which addresses a webhook may reach: none that is loopback, private, link-local (the cloud metadata address
/// 169.254.169.254 among them), CGNAT, multicast, unspecified or reserved, in IPv4, IPv6 or IPv4 inside IPv6, unless
/// <c>Webhooks:AllowedNetworks</c> lists it.
/// </summary>
public sealed class NetworkGuard
{
    private static readonly (IPNetwork Network, string Kind)[] s_internal =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified address"),
        (IPNetwork.Parse("10.0.0.0/8"), "an address of a private network"),
        (IPNetwork.Parse("100.64.0.0/10"), "a carrier-grade NAT address"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address (cloud metadata among them)"),
        (IPNetwork.Parse("172.16.0.0/12"), "an address of a private network"),
        (IPNetwork.Parse("192.0.0.0/24"), "a reserved address"),
        (IPNetwork.Parse("192.0.2.0/24"), "a documentation address"),
        (IPNetwork.Parse("192.168.0.0/16"), "an address of a private network"),
        (IPNetwork.Parse("198.18.0.0/15"), "a benchmarking address"),
        (IPNetwork.Parse("198.51.100.0/24"), "a documentation address"),
        (IPNetwork.Parse("203.0.113.0/24"), "a documentation address"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved address"),
        (IPNetwork.Parse("::/128"), "an unspecified address"),
        (IPNetwork.Parse("::1/128"), "a loopback address"),
        (IPNetwork.Parse("100::/64"), "a reserved address"),
        (IPNetwork.Parse("2001:db8::/32"), "a documentation address"),
        (IPNetwork.Parse("fc00::/7"), "an address of a private network"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),
        (IPNetwork.Parse("fec0::/10"), "a site-local address"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
    ];

    private readonly IPNetwork[] _allowed;

    public NetworkGuard(IOptions<WebhookOptions> options)
    {
        _allowed = [.. options.Value.AllowedNetworks.Select(text => IPNetwork.TryParse(text.Trim(), out var network)
            ? network
            : throw new OptionsValidationException(WebhookOptions.Section, typeof(WebhookOptions),
                [$"Webhooks:AllowedNetworks has '{text}', which is not a network such as 10.0.0.0/8 or 127.0.0.1/32."]))];
    }

    /// <summary>Why a webhook may not reach <paramref name="address"/>, or null when it may.</summary>
    public string? Refusal(IPAddress address)
    {
        if (_allowed.Any(network => network.Contains(address)))
        {
            return null;
        }
        // An IPv4 address written inside IPv6 (mapped, compatible, NAT64, 6to4) is judged as the IPv4 address it holds.
        if (Embedded(address) is { } inner)
        {
            return _allowed.Any(network => network.Contains(inner)) ? null : Refusal(inner);
        }
        foreach (var (network, kind) in s_internal)
        {
            if (network.Contains(address))
            {
                return $"{address} is {kind}";
            }
        }
        return null;
    }

    private static readonly IPNetwork s_nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork s_sixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork s_compatible = IPNetwork.Parse("::/96");

    private static IPAddress? Embedded(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        var bytes = address.GetAddressBytes();
        if (s_nat64.Contains(address) || s_compatible.Contains(address) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }
        return s_sixToFour.Contains(address) ? new IPAddress(bytes.AsSpan(2, 4)) : null;
    }
}

/// <summary>Turns a host name into addresses; tests replace it to make a name resolve where they need.</summary>
public interface IWebhookResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

public sealed class DnsWebhookResolver : IWebhookResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host, out var literal) ? Task.FromResult<IPAddress[]>([literal]) : Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>A connection a webhook may not make; its message says why (never a secret).</summary>
public sealed class WebhookRefusedException(string message) : Exception(message);
