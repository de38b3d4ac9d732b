using Microsoft.Extensions.DependencyInjection;
using Salpre.Gateway.Dashboard;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Dashboard;

namespace Salpre.Gateway.Tests.Edge;

/// <summary>
/// A reverse proxy in front, over real HTTP from 127.0.0.1: with 127.0.0.1 in <c>ForwardedHeaders:KnownProxies</c> the
/// client address and scheme are the proxy's <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>; without it, those
/// headers are anybody's and are ignored. Seen from outside through what depends on them: the per-address throttle of
/// failed sign-ins and the Secure flag of the dashboard's session cookie.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private static readonly string s_badToken = new('A', 43);

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "127.0.0.1")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "127.0.0.0/8")]
    public async Task Behind_a_trusted_proxy_each_client_address_has_its_own_sign_in_throttle(string setting, string proxy)
    {
        await using var gateway = await StartAsync(trustLoopback: false, (setting, proxy));
        using var client = PlainClient(gateway);

        // A client's own X-Forwarded-For comes first; the proxy appends the address it saw, the one believed.
        var first = await SignInAsync(client, forwardedFor: "198.51.100.9, 203.0.113.7");
        var second = await SignInAsync(client, forwardedFor: "198.51.100.10, 203.0.113.7");
        var third = await SignInAsync(client, forwardedFor: "203.0.113.7");
        var another = await SignInAsync(client, forwardedFor: "198.51.100.9, 203.0.113.8");
        var theProxyItself = await SignInAsync(client, forwardedFor: null);

        Assert.Equal([401, 401, 429, 401, 401], [first, second, third, another, theProxyItself]);
    }

    [Fact]
    public async Task Without_a_trusted_proxy_X_Forwarded_For_is_ignored()
    {
        await using var gateway = await StartAsync(trustLoopback: false);
        using var client = PlainClient(gateway);

        var first = await SignInAsync(client, forwardedFor: "203.0.113.7");
        var second = await SignInAsync(client, forwardedFor: "203.0.113.8");
        var third = await SignInAsync(client, forwardedFor: "203.0.113.9");

        // All three came from 127.0.0.1, whatever they said.
        Assert.Equal([401, 401, 429], [first, second, third]);
    }

    [Theory]
    [InlineData(true, "https", true)]
    [InlineData(true, null, false)]
    [InlineData(false, "https", false)]
    public async Task X_Forwarded_Proto_https_from_a_trusted_proxy_makes_the_session_cookie_Secure(bool trustLoopback, string? proto, bool secure)
    {
        await using var gateway = await StartAsync(trustLoopback);
        using var client = PlainClient(gateway);
        var account = await gateway.CreateAccountAsync();
        var token = await SignInLinks.CreateAsync(gateway.Services.GetRequiredService<IDashboardStore>(), account.KeyId,
            TimeProvider.System.GetUtcNow(), TestContext.Current.CancellationToken);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{DashboardPaths.SignIn}?token={token}");
        if (proto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", proto);
        }
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), value => value.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(secure, cookie.Split(';', StringSplitOptions.TrimEntries).Contains("secure", StringComparer.OrdinalIgnoreCase));
    }

    // The process refuses before it opens any store: once is enough.
    [Trait("Storage", "SqliteOnly")]
    [Theory]
    [InlineData("ForwardedHeaders__KnownProxies__0", "10.0.0.300", "ForwardedHeaders:KnownProxies has '10.0.0.300', which is not an IP address")]
    [InlineData("ForwardedHeaders__KnownNetworks__0", "10.0.0.0", "ForwardedHeaders:KnownNetworks has '10.0.0.0', which is not a network in CIDR form")]
    [InlineData("ForwardedHeaders__ForwardLimit", "0", "ForwardedHeaders:ForwardLimit must be 1 or more.")]
    public async Task A_setting_that_cannot_be_read_stops_the_start_with_one_line(string name, string value, string message)
    {
        var folder = Directory.CreateTempSubdirectory("salpre-proxies-").FullName;
        try
        {
            await GatewayProcess.AssertRefusesToStartAsync(folder, new Dictionary<string, string> { [name] = value }, message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<GatewayFactory> StartAsync(bool trustLoopback, (string Name, string Value)? setting = null)
    {
        var gateway = new GatewayFactory().With("Dashboard:SignInFailuresPerMinute", "2");
        if (trustLoopback)
        {
            gateway.With("ForwardedHeaders:KnownProxies:0", "127.0.0.1");
        }
        if (setting is { } trusted)
        {
            gateway.With(trusted.Name, trusted.Value);
        }
        await gateway.InitializeAsync();
        return gateway;
    }

    private static HttpClient PlainClient(GatewayFactory gateway) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = gateway.BaseAddress };

    private static async Task<int> SignInAsync(HttpClient client, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{DashboardPaths.SignIn}?token={s_badToken}");
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return (int)response.StatusCode;
    }
}
