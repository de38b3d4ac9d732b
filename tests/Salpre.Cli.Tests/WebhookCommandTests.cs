using System.Text.Json;
using Salpre.Client;
using Salpre.Client.Tests.Infrastructure;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Cli.Tests;

/// <summary><c>salpre webhooks ...</c> end to end: the real gateway delivering to a receiver on 127.0.0.1.</summary>
public sealed class WebhookCommandTests(WebhookCommandTests.Gateway gateway) : IClassFixture<WebhookCommandTests.Gateway>
{
    public sealed class Gateway : GatewayServer
    {
        public Gateway() => WithLoopbackWebhooks();
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static bool SignedBy(ReceivedWebhook request, string secret) =>
        WebhookSignature.Verify([secret], WebhookHeaders.From(request.Headers), request.Body);

    [Fact]
    public async Task Create_prints_the_endpoint_with_its_secret_once_and_list_shows_it_without()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var maker = await EventMaker.CreateAsync(gateway);
        var variables = SalpreRun.For(gateway, maker.Account.Key);

        var created = await SalpreRun.RunAsync(variables, ["webhooks", "create", "--url", receiver.Url, "--types", "call.initiated", "--description", "CRM", "--format", "json"]);
        var table = await SalpreRun.RunAsync(variables, ["webhooks", "create", "--url", "https://crm.example.com/hook", "--max-in-flight", "2"]);
        var listed = await SalpreRun.RunAsync(variables, ["webhooks", "list", "--format", "json"]);
        var listedTable = await SalpreRun.RunAsync(variables, ["webhooks", "list"]);

        Assert.Equal((ExitCodes.Success, ExitCodes.Success, ExitCodes.Success), (created.ExitCode, table.ExitCode, listed.ExitCode));
        using var json = JsonDocument.Parse(created.Out);
        var id = json.RootElement.GetProperty("id").GetString()!;
        var secret = json.RootElement.GetProperty("secret").GetString()!;
        Assert.Equal(("CRM", "enabled"), (json.RootElement.GetProperty("description").GetString(), json.RootElement.GetProperty("status").GetString()));
        Assert.Contains($"Keep the secret of {id} now", created.Error, StringComparison.Ordinal);
        Assert.Matches(@"secret\s+whsec_[A-Za-z0-9+/]{43}=", table.Out);
        Assert.Matches(@"max_in_flight\s+2", table.Out);
        using var list = JsonDocument.Parse(listed.Out);
        Assert.Equal(2, list.RootElement.GetArrayLength());
        Assert.All(list.RootElement.EnumerateArray(), webhook => Assert.False(webhook.TryGetProperty("secret", out _)));
        Assert.DoesNotContain("whsec_", listedTable.Out, StringComparison.Ordinal);
        Assert.Contains(receiver.Url, listedTable.Out, StringComparison.Ordinal);

        // The secret printed is the one the gateway signs with.
        await maker.CallAsync();
        await receiver.WaitForCountAsync(1);
        Assert.True(SignedBy(receiver.Received.Single(), secret));
    }

    [Fact]
    public async Task Rotate_prints_a_new_secret_that_signs_beside_the_old_one()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var maker = await EventMaker.CreateAsync(gateway);
        var endpoint = await maker.Client.Webhooks.CreateAsync(new WebhookCreateRequest(receiver.Url), Cancel);

        var rotated = await SalpreRun.RunAsync(SalpreRun.For(gateway, maker.Account.Key), ["webhooks", "rotate", endpoint.Id, "--format", "json"]);
        await maker.CallAsync();
        await receiver.WaitForCountAsync(1);

        Assert.Equal(ExitCodes.Success, rotated.ExitCode);
        using var json = JsonDocument.Parse(rotated.Out);
        var secret = json.RootElement.GetProperty("secret").GetString()!;
        Assert.NotEqual(endpoint.Secret, secret);
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("previous_secret_expires_at").GetString()));
        Assert.True(SignedBy(receiver.Received.Single(), secret));
        Assert.True(SignedBy(receiver.Received.Single(), endpoint.Secret!));
    }

    [Fact]
    public async Task Deliveries_show_each_attempt_and_retry_sends_one_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, context, _) =>
        {
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "3600";
            return Task.CompletedTask;
        };
        using var maker = await EventMaker.CreateAsync(gateway);
        var variables = SalpreRun.For(gateway, maker.Account.Key);
        var endpoint = await maker.Client.Webhooks.CreateAsync(new WebhookCreateRequest(receiver.Url) { EventTypes = [EventTypes.CallInitiated] }, Cancel);
        await maker.CallAsync();
        await receiver.WaitForCountAsync(1);
        var deliveries = await WaitForAsync(variables, endpoint.Id, json => json[0].GetProperty("attempts").GetArrayLength() == 1);
        var deliveryId = deliveries[0].GetProperty("id").GetString()!;
        var table = await SalpreRun.RunAsync(variables, ["webhooks", "deliveries", endpoint.Id]);

        receiver.Respond = (_, _, _) => Task.CompletedTask;
        var retried = await SalpreRun.RunAsync(variables, ["webhooks", "retry", endpoint.Id, deliveryId]);
        await receiver.WaitForCountAsync(2);
        var succeeded = await WaitForAsync(variables, endpoint.Id, json => json[0].GetProperty("status").GetString() == "succeeded");

        Assert.Equal(("pending", 503), (deliveries[0].GetProperty("status").GetString(), deliveries[0].GetProperty("attempts")[0].GetProperty("http_status").GetInt32()));
        var row = table.OutLines.Single(line => line.Contains(deliveryId, StringComparison.Ordinal));
        Assert.Matches($@"│ {deliveryId}\s+│ evt_\w+\s+│ call\.initiated\s+│ pending\s+│ 1\s+│ [0-9T:Z-]+\s+│ 503\s+│", row);
        Assert.Equal("1 delivery.", table.Error.Trim());
        Assert.Equal(ExitCodes.Success, retried.ExitCode);
        Assert.Contains($"Delivery {deliveryId} of {endpoint.Id} is sent again now", retried.Error, StringComparison.Ordinal);
        Assert.Equal([200], succeeded[0].GetProperty("attempts").EnumerateArray().Skip(1).Select(a => a.GetProperty("http_status").GetInt32()));
        Assert.Equal(receiver.Received.First().Id, receiver.Received.Last().Id);
    }

    [Fact]
    public async Task Delete_removes_it_and_unknown_ids_exit_4()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        var variables = SalpreRun.For(gateway, maker.Account.Key);
        var endpoint = await maker.Client.Webhooks.CreateAsync(new WebhookCreateRequest("https://crm.example.com/hook"), Cancel);

        var deleted = await SalpreRun.RunAsync(variables, ["webhooks", "delete", endpoint.Id]);
        var again = await SalpreRun.RunAsync(variables, ["webhooks", "delete", endpoint.Id]);
        var deliveries = await SalpreRun.RunAsync(variables, ["webhooks", "deliveries", endpoint.Id]);
        var retry = await SalpreRun.RunAsync(variables, ["webhooks", "retry", endpoint.Id, "dlv_1"]);

        Assert.Equal(ExitCodes.Success, deleted.ExitCode);
        Assert.Contains($"Deleted {endpoint.Id}", deleted.Error, StringComparison.Ordinal);
        Assert.Equal((ExitCodes.NotFound, ExitCodes.NotFound, ExitCodes.NotFound), (again.ExitCode, deliveries.ExitCode, retry.ExitCode));
        Assert.StartsWith("salpre: Webhook not found. Please check the webhook ID. (HTTP 404, not_found", again.Error, StringComparison.Ordinal);
        Assert.Empty(await maker.Client.Webhooks.ListAsync(Cancel));
    }

    [Fact]
    public async Task Wrong_command_lines_and_refused_urls_and_scopes_have_their_exit_codes()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        var variables = SalpreRun.For(gateway, maker.Account.Key);
        var reader = SalpreRun.For(gateway, await gateway.CreateKeyAsync(maker.Account.Id, Salpre.Storage.Accounts.KeyScopes.Read));

        var noUrl = await SalpreRun.RunAsync(variables, ["webhooks", "create"]);
        var badType = await SalpreRun.RunAsync(variables, ["webhooks", "create", "--url", "https://crm.example.com/hook", "--types", "call.done"]);
        var metadata = await SalpreRun.RunAsync(variables, ["webhooks", "create", "--url", "https://169.254.169.254/latest"]);
        var readOnly = await SalpreRun.RunAsync(reader, ["webhooks", "create", "--url", "https://crm.example.com/hook"]);

        Assert.Equal((ExitCodes.Usage, ExitCodes.Usage, ExitCodes.Failed, ExitCodes.Unauthorized), (noUrl.ExitCode, badType.ExitCode, metadata.ExitCode, readOnly.ExitCode));
        Assert.Contains("--url", noUrl.Error, StringComparison.Ordinal);
        Assert.Contains("param url", metadata.Error, StringComparison.Ordinal);
        Assert.Empty(await maker.Client.Webhooks.ListAsync(Cancel));
    }

    /// <summary>The endpoint's deliveries (as <c>--format json</c> prints them) once <paramref name="done"/> holds.</summary>
    private static async Task<JsonElement> WaitForAsync(Dictionary<string, string> variables, string endpointId, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var result = await SalpreRun.RunAsync(variables, ["webhooks", "deliveries", endpointId, "--format", "json"]);
            Assert.Equal(ExitCodes.Success, result.ExitCode);
            var data = JsonDocument.Parse(result.Out).RootElement.GetProperty("data");
            if (data.GetArrayLength() > 0 && done(data))
            {
                return data;
            }
            Assert.True(DateTime.UtcNow < deadline, $"The deliveries did not get there in time: {result.Out}");
            await Task.Delay(50, Cancel);
        }
    }
}
