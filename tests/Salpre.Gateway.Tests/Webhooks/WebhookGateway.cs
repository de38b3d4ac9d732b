using System.Security.Cryptography;
using System.Text;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Webhooks;

/// <summary>A gateway whose webhooks may reach the loopback receivers the tests start (over http), and looks for work often.</summary>
public class WebhookGateway : GatewayFactory
{
    public WebhookGateway() => WithLoopbackWebhooks(this);

    /// <summary>Webhooks over http to 127.0.0.0/8, work looked for every 100 ms, and no call rate in the way.</summary>
    public static void WithLoopbackWebhooks(GatewayFactory gateway) => gateway
        .With("Webhooks:AllowHttp", "true")
        .With("Webhooks:AllowedNetworks:0", "127.0.0.0/8")
        .With("Webhooks:PollInterval", "00:00:00.100")
        .With("MakeCall:CallsPerSecond", "100000")
        .With("MakeCall:Burst", "100000");

    /// <summary>An account with a read-write key, an ingest key and a connected box.</summary>
    public async Task<WebhookParties> PartiesAsync()
    {
        var account = await CreateAccountAsync();
        var (_, ingest) = await CreateKeyAsync(account.Id, KeyScopes.Ingest);
        return new WebhookParties(account, Client(account.Key), Client(ingest), await AddBoxAsync(account.Id));
    }
}

public sealed record WebhookParties(TestAccount Account, HttpClient Api, HttpClient Box, string Serial)
{
    public const string Webhooks = "/api/gateway/v1/webhooks";

    /// <summary>Creates an endpoint; its id and secret.</summary>
    public async Task<(string Id, string Secret)> CreateEndpointAsync(string url, string extra = "")
    {
        var created = await Api.PostJsonAsync(Webhooks, $$"""{"url":"{{url}}"{{extra}}}""");
        Xunit.Assert.True(created.Status == 200, created.Body);
        return (created.Json["data"]!["id"]!.GetValue<string>(), created.Json["data"]!["secret"]!.GetValue<string>());
    }

    /// <summary>A call made through make-call; its id.</summary>
    public async Task<string> MakeCallAsync() => (await Api.MakeCallAsync(Serial)).Json["data"]!["call_id"]!.GetValue<string>();

    public Task<WireResponse> ReportAsync(string callId, string status) =>
        Box.PostJsonAsync($"/api/gateway/v1/call/{callId}/events", $$"""{"status":"{{status}}"}""");

    public async Task<System.Text.Json.Nodes.JsonArray> DeliveriesAsync(string endpointId) =>
        (await Api.GetWireAsync($"{Webhooks}/{endpointId}/deliveries?per_page=100")).Data;
}

/// <summary>Checks Standard Webhooks signatures as a receiver would, independently of the gateway's code.</summary>
public static class Signatures
{
    public static string Expected(string secret, string id, string timestamp, byte[] body)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var content = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>The signatures of a request, in the order sent.</summary>
    public static IReadOnlyList<string> Of(ReceivedWebhook request) => request.Headers["webhook-signature"].Split(' ');

    public static bool SignedBy(ReceivedWebhook request, string secret) =>
        Of(request).Contains(Expected(secret, request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Body));
}
