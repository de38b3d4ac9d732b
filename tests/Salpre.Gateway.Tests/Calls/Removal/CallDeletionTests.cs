using System.Text.Json.Nodes;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Calls.Removal;

/// <summary>DELETE /call/{id}: the call leaves every answer, and the feed and webhooks are told its id, nothing more.</summary>
public sealed class CallDeletionTests(RemovalGateway gateway) : IClassFixture<RemovalGateway>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Id(JsonNode? node) => node!.GetValue<string>();

    [Fact]
    public async Task A_deleted_call_is_gone_from_every_answer_and_told_by_its_id_alone()
    {
        var parties = await gateway.PartiesAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        Assert.Equal(200, (await parties.Api.PostJsonAsync("/api/gateway/v1/webhooks", $$"""{"url":"{{receiver.Url}}"}""")).Status);
        var callId = await parties.CompletedCallAsync("+905551110001", idempotencyKey: "order-1");
        var kept = await parties.CompletedCallAsync("+905551110002");
        await receiver.WaitForCountAsync(6);
        var before = await gateway.ScrapeAsync();

        var deleted = await parties.DeleteAsync(callId);

        Assert.Equal(200, deleted.Status);
        Assert.Equal($$$"""{"status":"success","data":{"call_id":"{{{callId}}}","deleted":true}}""", deleted.Body);
        Assert.Equal(404, (await parties.Api.GetWireAsync($"/api/gateway/v1/call/{callId}")).Status);
        Assert.Equal(404, (await parties.Api.GetWireAsync($"/api/gateway/v1/call/{callId}/logs")).Status);
        Assert.Equal([kept], (await parties.Api.GetWireAsync("/api/gateway/v1/call/list")).CallIds);
        var stats = await parties.Api.GetWireAsync("/api/gateway/v1/call/stats");
        Assert.Equal(1, stats.Json["data"]!["totals"]!["calls"]!.GetValue<long>());
        var export = await parties.Api.GetWireAsync("/api/gateway/v1/call/export?format=ndjson");
        Assert.DoesNotContain($"\"{callId}\"", export.Body, StringComparison.Ordinal);
        Assert.Contains($"\"{kept}\"", export.Body, StringComparison.Ordinal);

        // The feed keeps no event that shows the call; its call.deleted event carries the id alone, and so does its webhook.
        await gateway.SettleEventsAsync();
        var feed = (await parties.Api.GetWireAsync("/api/gateway/v1/events?per_page=100")).Data;
        var told = Assert.Single(feed, e => e!["data"]!.ToJsonString().Contains(callId + "\"", StringComparison.Ordinal));
        Assert.Equal("call.deleted", Id(told!["type"]));
        Assert.Equal($$"""{"call_id":"{{callId}}"}""", told["data"]!.ToJsonString());
        await receiver.WaitForAsync(r => r.Any(w => Id(w.Json["type"]) == "call.deleted"), what: "the call.deleted webhook");
        var webhook = receiver.Received.Single(w => Id(w.Json["type"]) == "call.deleted");
        Assert.Equal($$"""{"call_id":"{{callId}}"}""", webhook.Json["data"]!.ToJsonString());

        // A second delete finds nothing; the idempotency key's answer went with the call, so a retry makes a new call.
        var again = await parties.DeleteAsync(callId);
        Assert.Equal(404, again.Status);
        Assert.Equal("Call not found. Please check the call ID.", Id(again.Json["message"]));
        var retried = await parties.Api.MakeCallAsync(parties.Serial, "+905551110001", idempotencyKey: "order-1");
        Assert.Equal(200, retried.Status);
        Assert.NotEqual(callId, Id(retried.Json["data"]!["call_id"]));

        var after = await gateway.ScrapeUntilAsync(s => s.Since(before, "salpre_gateway_calls_removed_total", ("reason", "delete")) >= 1);
        Assert.Equal(1, after.Since(before, "salpre_gateway_calls_removed_total", ("reason", "delete")));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains($"Deleted call {callId} of account {parties.Account.Id} (key {parties.Account.KeyId}).", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Either_id_form_deletes_and_only_a_writer_of_the_account_can()
    {
        var parties = await gateway.PartiesAsync();
        var other = await gateway.PartiesAsync();
        var (_, reader) = await gateway.CreateKeyAsync(parties.Account.Id, KeyScopes.Read);
        var first = await parties.CompletedCallAsync("+905551110003");
        var second = await parties.CompletedCallAsync("+905551110004");

        Assert.Equal(403, (await gateway.Client(reader).SendWireAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/gateway/v1/call/{first}"))).Status);
        Assert.Equal(404, (await other.DeleteAsync(first)).Status);
        foreach (var malformed in new[] { "c0", "x1", "c01", "c-1", "c99999999999999999999" })
        {
            var answer = await parties.DeleteAsync(malformed);
            Assert.True(answer.Status == 404 && WireExtensions.IsEnvelope(answer.Body), $"{malformed}: {answer.Status} {answer.Body}");
        }
        Assert.Equal(2, (await parties.Api.GetWireAsync("/api/gateway/v1/call/list")).CallIds.Count);

        Assert.Equal(200, (await parties.DeleteAsync(first)).Status);
        Assert.Equal(200, (await parties.DeleteAsync(second[1..])).Status);
        Assert.Empty((await parties.Api.GetWireAsync("/api/gateway/v1/call/list")).CallIds);
        Assert.Equal(404, (await parties.DeleteAsync(second)).Status);
        Assert.Empty(await RollupDrift.FindAsync(gateway));
    }
}
