using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Gateway.Webhooks;

namespace Salpre.Gateway.Tests.Webhooks;

/// <summary>
/// Webhooks never reach the gateway's own networks: internal addresses are refused at registration and again when
/// connecting, whatever a name resolves to by then; redirects are never followed. Targets that must not be reached
/// are listeners that count the connections they get: none.
/// </summary>
public sealed class WebhookSsrfTests(WebhookSsrfTests.Gateway gateway) : IClassFixture<WebhookSsrfTests.Gateway>
{
    private const string Webhooks = WebhookParties.Webhooks;

    /// <summary>http allowed (the receivers are plain), no internal network allowed, names resolved by the test.</summary>
    public sealed class Gateway : GatewayFactory
    {
        public MapResolver Names { get; } = new();

        public Gateway()
        {
            With("Webhooks:AllowHttp", "true");
            With("Webhooks:PollInterval", "00:00:00.100");
            WithServices(services => services.AddSingleton<IWebhookResolver>(Names));
        }
    }

    /// <summary>Names the test sets; IP literals are themselves; any other name does not exist.</summary>
    public sealed class MapResolver : IWebhookResolver
    {
        public ConcurrentDictionary<string, IPAddress[]> Map { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            IPAddress.TryParse(host, out var literal) ? Task.FromResult<IPAddress[]>([literal])
            : Map.TryGetValue(host, out var addresses) ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }

    private async Task<WebhookParties> PartiesAsync()
    {
        var account = await gateway.CreateAccountAsync();
        var (_, ingest) = await gateway.CreateKeyAsync(account.Id, Storage.Accounts.KeyScopes.Ingest);
        return new WebhookParties(account, gateway.Client(account.Key), gateway.Client(ingest), await gateway.AddBoxAsync(account.Id));
    }

    [Fact]
    public async Task Internal_addresses_are_refused_at_registration_without_a_connection()
    {
        using var loopback = new CountingListener(IPAddress.Loopback);
        using var loopback6 = new CountingListener(IPAddress.IPv6Loopback);
        gateway.Names.Map["internal.test"] = [IPAddress.Parse("10.0.0.5")];
        gateway.Names.Map["mixed.test"] = [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("192.168.1.20")];
        var parties = await PartiesAsync();
        (string Url, string Says)[] cases =
        [
            ($"http://127.0.0.1:{loopback.Port}/hook", "127.0.0.1 is a loopback address"),
            ($"http://[::1]:{loopback6.Port}/hook", "::1 is a loopback address"),
            ($"http://[::ffff:127.0.0.1]:{loopback.Port}/hook", "127.0.0.1 is a loopback address"),
            ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
            ("http://internal.test/hook", "10.0.0.5 is an address of a private network"),
            ("http://mixed.test/hook", "192.168.1.20 is an address of a private network"),
            ("http://100.64.0.7/hook", "100.64.0.7 is a carrier-grade NAT address"),
            ("http://0.0.0.0/hook", "0.0.0.0 is an unspecified address"),
            ("http://[fd00::1]/hook", "fd00::1 is an address of a private network"),
            ("http://[fe80::1]/hook", "fe80::1 is a link-local address"),
            ("http://224.0.0.1/hook", "224.0.0.1 is a multicast address"),
        ];

        foreach (var (url, says) in cases)
        {
            var answer = await parties.Api.PostJsonAsync(Webhooks, $$"""{"url":"{{url}}"}""");
            Assert.True(answer.Status == 400, $"{url}: {answer.Body}");
            Assert.Equal("url", answer.Json["param"]!.GetValue<string>());
            Assert.Contains(says, answer.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        Assert.Empty((await parties.Api.GetWireAsync(Webhooks)).Data);
        Assert.Equal(0, loopback.Accepted);
        Assert.Equal(0, loopback6.Accepted);
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_by_delivery_time_is_refused_when_connecting()
    {
        using var target = new CountingListener(IPAddress.Loopback);
        gateway.Names.Map["rebind.test"] = [IPAddress.Parse("93.184.216.34")];
        var parties = await PartiesAsync();
        var (id, _) = await parties.CreateEndpointAsync($"http://rebind.test:{target.Port}/hook");
        gateway.Names.Map["rebind.test"] = [IPAddress.Loopback];

        await parties.MakeCallAsync();
        var attempt = await FirstAttemptAsync(parties, id);

        Assert.Null(attempt["http_status"]);
        Assert.Equal("refused: 127.0.0.1 is a loopback address", attempt["error"]!.GetValue<string>());
        Assert.Equal(0, target.Accepted);
    }

    [Fact]
    public async Task Https_is_required_unless_http_is_allowed()
    {
        await using var strict = new GatewayFactory();
        await strict.InitializeAsync();
        var account = await strict.CreateAccountAsync();

        var answer = await strict.Client(account.Key).PostJsonAsync(Webhooks, """{"url":"http://hooks.example.com/"}""");

        Assert.Equal(400, answer.Status);
        Assert.Equal("Invalid url value: only https URLs are taken (Webhooks:AllowHttp allows http)", answer.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_listed_network_is_reached_and_a_redirect_into_it_is_never_followed()
    {
        await using var allowed = new WebhookGateway();
        allowed.With("Webhooks:AllowedNetworks:0", "127.0.0.1/32");
        await allowed.InitializeAsync();
        using var target = new CountingListener(IPAddress.Loopback);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, context, _) =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = $"http://127.0.0.1:{target.Port}/";
            return Task.CompletedTask;
        };
        var parties = await allowed.PartiesAsync();
        var (id, _) = await parties.CreateEndpointAsync(receiver.Url);

        await parties.MakeCallAsync();
        await receiver.WaitForCountAsync(1);
        var attempt = await FirstAttemptAsync(parties, id);

        Assert.Equal(302, attempt["http_status"]!.GetValue<int>());
        Assert.Equal("a redirect (302) is a failure and is not followed", attempt["error"]!.GetValue<string>());
        Assert.Equal(0, target.Accepted);
        Assert.Single(receiver.Received);
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> FirstAttemptAsync(WebhookParties parties, string id) =>
        (await Eventually.GetAsync(async () => (await parties.DeliveriesAsync(id)).FirstOrDefault()?["attempts"]!.AsArray().FirstOrDefault(),
            attempt => attempt is not null, "a first attempt"))!;
}
