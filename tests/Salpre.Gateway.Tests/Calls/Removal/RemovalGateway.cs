using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Gateway.Tests.Webhooks;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Calls.Removal;

/// <summary>A gateway with metrics on whose webhooks reach loopback receivers, for the tests of calls going away.</summary>
public sealed class RemovalGateway : MetricsGateway
{
    public RemovalGateway() => WebhookGateway.WithLoopbackWebhooks(this);

    /// <summary>An account with a read-write key, an ingest key for its box, and the box.</summary>
    public async Task<RemovalParties> PartiesAsync()
    {
        var account = await CreateAccountAsync();
        var (_, ingest) = await CreateKeyAsync(account.Id, KeyScopes.Ingest);
        return new RemovalParties(account, Client(account.Key), Client(ingest), await AddBoxAsync(account.Id));
    }
}

public sealed record RemovalParties(TestAccount Account, HttpClient Api, HttpClient Box, string Serial)
{
    /// <summary>A call placed to <paramref name="to"/>, answered and completed with a recording, transcript and variables; its id.</summary>
    public async Task<string> CompletedCallAsync(string to, string? idempotencyKey = null)
    {
        var made = await Api.MakeCallAsync(Serial, to, idempotencyKey: idempotencyKey);
        Xunit.Assert.True(made.Status == 200, made.Body);
        var callId = made.Json["data"]!["call_id"]!.GetValue<string>();
        await ReportAsync(callId, """{"status":"in-progress"}""");
        await ReportAsync(callId, $$$"""{"status":"completed","audio_record_url":"https://records.example/{{{callId}}}.mp3","transcript":"Agent: is this {{{to}}}?","variables":{"callback":"{{{to}}}"}}""");
        return callId;
    }

    private async Task ReportAsync(string callId, string body)
    {
        var reported = await Box.PostJsonAsync($"/api/gateway/v1/call/{callId}/events", body);
        Xunit.Assert.True(reported.Status == 200, reported.Body);
    }

    public Task<WireResponse> DeleteAsync(string id) =>
        Api.SendWireAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/gateway/v1/call/{id}"));

    public Task<WireResponse> EraseAsync(string phone) => Api.PostJsonAsync("/api/gateway/v1/erasures", $$"""{"phone":"{{phone}}"}""");
}
