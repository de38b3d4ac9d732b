using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Salpre.Client.Tests.Infrastructure;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Client.Tests;

/// <summary>
/// <c>client.Webhooks</c> against the real gateway, delivering to a receiver on 127.0.0.1; what the receiver gets is
/// checked with <see cref="WebhookSignature.Verify(IEnumerable{string}, WebhookHeaders, ReadOnlySpan{byte}, TimeSpan?, TimeProvider?)"/>.
/// </summary>
public sealed class WebhooksAgainstGatewayTests(WebhooksAgainstGatewayTests.Gateway gateway) : IClassFixture<WebhooksAgainstGatewayTests.Gateway>
{
    public sealed class Gateway : GatewayServer
    {
        public Gateway() => WithLoopbackWebhooks();
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A receiver on 127.0.0.1, an account that makes events, and its endpoint at the receiver.</summary>
    private sealed class Receiving(WebhookReceiver receiver, EventMaker maker, Webhook endpoint) : IAsyncDisposable
    {
        public WebhookReceiver Receiver => receiver;
        public EventMaker Maker => maker;
        public WebhooksClient Webhooks => maker.Client.Webhooks;
        public Webhook Endpoint => endpoint;

        public async ValueTask DisposeAsync()
        {
            maker.Dispose();
            await receiver.DisposeAsync();
        }
    }

    private async Task<Receiving> ReceivingAsync(params string[] types)
    {
        var receiver = await WebhookReceiver.StartAsync();
        var maker = await EventMaker.CreateAsync(gateway);
        var endpoint = await maker.Client.Webhooks.CreateAsync(new WebhookCreateRequest(receiver.Url) { EventTypes = types.Length == 0 ? null : types }, Cancel);
        return new Receiving(receiver, maker, endpoint);
    }

    private static WebhookHeaders HeadersOf(ReceivedWebhook request) =>
        WebhookHeaders.From(request.Headers.Where(h => h.Key.StartsWith("webhook-", StringComparison.Ordinal)));

    [Fact]
    public async Task Create_shows_the_secret_once_and_list_and_get_never_do()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        var webhooks = maker.Client.Webhooks;

        var created = await webhooks.CreateAsync(
            new WebhookCreateRequest("https://crm.example.com/salpre") { EventTypes = [EventTypes.CallCompleted, EventTypes.CallFailed], Description = "CRM", MaxInFlight = 2 },
            Cancel);
        var listed = await webhooks.ListAsync(Cancel);
        var got = await webhooks.GetAsync(created.Id, Cancel);

        Assert.Matches("^wh_[0-9]+$", created.Id);
        Assert.True(WebhookSignature.IsSecret(created.Secret));
        Assert.Equal(32, Convert.FromBase64String(created.Secret![WebhookSignature.SecretPrefix.Length..]).Length);
        Assert.Equal(("https://crm.example.com/salpre", "CRM", WebhookStatus.Enabled, 2), (created.Url, created.Description, created.Status, created.MaxInFlight));
        Assert.Equal([EventTypes.CallCompleted, EventTypes.CallFailed], created.EventTypes);
        Assert.InRange(created.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(created with { Secret = null }, got with { EventTypes = created.EventTypes });
        Assert.Null(Assert.Single(listed).Secret);
        Assert.Equal(created.Id, listed[0].Id);
        Assert.Null(got.AdditionalFields);
    }

    [Fact]
    public async Task Defaults_are_the_servers_and_an_update_changes_only_what_it_gives()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        var webhooks = maker.Client.Webhooks;
        var created = await webhooks.CreateAsync(new WebhookCreateRequest("https://a.example.com/hook"), Cancel);

        var moved = await webhooks.UpdateAsync(created.Id, new WebhookUpdateRequest { Url = "https://b.example.com/hook", EventTypes = [EventTypes.CallBusy] }, Cancel);
        var disabled = await webhooks.UpdateAsync(created.Id, new WebhookUpdateRequest { Enabled = false }, Cancel);
        var enabled = await webhooks.UpdateAsync(created.Id, new WebhookUpdateRequest { Enabled = true, Description = "again" }, Cancel);

        Assert.Equal(EventTypes.All.Where(t => t.StartsWith(EventTypes.CallPrefix, StringComparison.Ordinal)), created.EventTypes);
        Assert.Equal((4, null), (created.MaxInFlight, created.Description));
        Assert.Equal(("https://b.example.com/hook", WebhookStatus.Enabled), (moved.Url, moved.Status));
        Assert.Equal([EventTypes.CallBusy], moved.EventTypes);
        Assert.Equal((WebhookStatus.Disabled, "https://b.example.com/hook"), (disabled.Status, disabled.Url));
        Assert.NotNull(disabled.DisabledReason);
        Assert.Equal((WebhookStatus.Enabled, null, "again"), (enabled.Status, enabled.DisabledReason, enabled.Description));
        Assert.Equal([EventTypes.CallBusy], enabled.EventTypes);
    }

    [Fact]
    public async Task A_real_delivery_verifies_and_a_tampered_one_does_not()
    {
        await using var setup = await ReceivingAsync(EventTypes.CallInitiated);

        var callId = await setup.Maker.CallAsync();
        await setup.Receiver.WaitForCountAsync(1);

        var request = Assert.Single(setup.Receiver.Received);
        var headers = HeadersOf(request);
        var secret = setup.Endpoint.Secret!;
        Assert.True(WebhookSignature.Verify([secret], headers, request.Body));
        Assert.True(WebhookSignature.Verify([secret], headers, request.Text));
        // What the receiver got is the feed's event, byte for byte.
        var fed = Assert.Single(await setup.Maker.FeedAsync());
        Assert.Equal(fed.RawJson, request.Text);
        var parsed = SalpreEvent.Parse(request.Body);
        Assert.Equal((fed.Id, callId, EventTypes.CallInitiated), (headers.Id, parsed.Call!.CallId, parsed.Type));

        var tampered = Encoding.UTF8.GetBytes(request.Text.Replace("\"initiated\"", "\"completed\"", StringComparison.Ordinal));
        Assert.NotEqual(request.Body, tampered);
        Assert.Equal(WebhookVerification.NoValidSignature, WebhookSignature.Check([secret], headers, tampered));
        Assert.Equal(WebhookVerification.NoValidSignature, WebhookSignature.Check([secret], headers with { Id = fed.Id[..^1] + "0" }, request.Body));
        var later = (long.Parse(headers.Timestamp!, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(WebhookVerification.NoValidSignature, WebhookSignature.Check([secret], headers with { Timestamp = later }, request.Body));
        Assert.Equal(WebhookVerification.NoValidSignature, WebhookSignature.Check([WebhookSignature.NewSecret()], headers, request.Body));
        var tomorrow = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(1));
        Assert.Equal(WebhookVerification.TimestampOutOfTolerance, WebhookSignature.Check([secret], headers, request.Body, timeProvider: tomorrow));
    }

    [Fact]
    public async Task Rotate_gives_a_new_secret_and_both_sign_during_the_overlap()
    {
        await using var setup = await ReceivingAsync();
        var (webhooks, endpoint) = (setup.Webhooks, setup.Endpoint);

        var rotated = await webhooks.RotateSecretAsync(endpoint.Id, Cancel);
        await setup.Maker.CallAsync();
        await setup.Receiver.WaitForCountAsync(1);

        var request = Assert.Single(setup.Receiver.Received);
        Assert.True(WebhookSignature.IsSecret(rotated.Secret));
        Assert.NotEqual(endpoint.Secret, rotated.Secret);
        Assert.InRange(rotated.PreviousSecretExpiresAt!.Value, DateTimeOffset.UtcNow.AddHours(23.9), DateTimeOffset.UtcNow.AddHours(24.1));
        Assert.Equal(2, HeadersOf(request).Signature!.Split(' ').Length);
        Assert.True(WebhookSignature.Verify([rotated.Secret!], HeadersOf(request), request.Body));
        Assert.True(WebhookSignature.Verify([endpoint.Secret!], HeadersOf(request), request.Body));
        Assert.Null((await webhooks.GetAsync(endpoint.Id, Cancel)).Secret);
    }

    [Fact]
    public async Task Test_sends_a_webhook_test_event_to_the_endpoint_alone()
    {
        await using var setup = await ReceivingAsync();
        var endpoint = setup.Endpoint;

        var sent = await setup.Webhooks.TestAsync(endpoint.Id, Cancel);
        await setup.Receiver.WaitForCountAsync(1);

        var request = Assert.Single(setup.Receiver.Received);
        Assert.Equal(EventTypes.WebhookTest, sent.Type);
        Assert.Equal(endpoint.Id, sent.Data.GetProperty("webhook_id").GetString());
        Assert.Equal(sent.Id, request.Id);
        Assert.True(WebhookSignature.Verify([endpoint.Secret!], HeadersOf(request), request.Body));
        Assert.Empty(await setup.Maker.FeedAsync());
    }

    [Fact]
    public async Task Deliveries_show_every_attempt_and_retry_sends_one_again_now()
    {
        await using var setup = await ReceivingAsync(EventTypes.CallInitiated);
        var (receiver, webhooks, endpoint) = (setup.Receiver, setup.Webhooks, setup.Endpoint);
        // Unavailable for an hour, it says: the gateway waits that long before its next attempt.
        receiver.Respond = async (_, context, _) =>
        {
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "3600";
            await context.Response.WriteAsync("down for maintenance", Cancel);
        };
        await setup.Maker.CallAsync();
        await receiver.WaitForCountAsync(1);
        var pending = await WaitForDeliveryAsync(webhooks, endpoint.Id, d => d.Attempts.Count == 1);

        receiver.Respond = (_, _, _) => Task.CompletedTask;
        await webhooks.RetryDeliveryAsync(endpoint.Id, pending.Id, Cancel);
        await receiver.WaitForCountAsync(2);
        var succeeded = await WaitForDeliveryAsync(webhooks, endpoint.Id, d => d.Status == WebhookDeliveryStatus.Succeeded);

        Assert.Equal((WebhookDeliveryStatus.Pending, 1, EventTypes.CallInitiated), (pending.Status, pending.AttemptCount, pending.EventType));
        Assert.InRange(pending.NextAttemptAt!.Value, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(61));
        var failed = pending.Attempts.Single();
        Assert.Equal((503, "down for maintenance"), (failed.HttpStatus, failed.ResponseBody));
        Assert.NotNull(failed.Error);
        Assert.Equal(receiver.Received.First().Id, pending.EventId);
        Assert.Equal([pending.EventId, pending.EventId], receiver.Received.Select(r => r.Id));
        Assert.Equal((pending.Id, 2, null), (succeeded.Id, succeeded.Attempts.Count, succeeded.NextAttemptAt));
        Assert.Equal(200, succeeded.Attempts[^1].HttpStatus);
        Assert.Null(succeeded.Attempts[^1].Error);
        Assert.True(succeeded.Attempts[^1].At >= failed.At);
    }

    [Fact]
    public async Task A_410_fails_the_delivery_and_recover_sends_it_again_once_enabled()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await using var setup = await ReceivingAsync(EventTypes.CallInitiated);
        var (receiver, webhooks, endpoint) = (setup.Receiver, setup.Webhooks, setup.Endpoint);
        receiver.Respond = (_, context, _) =>
        {
            context.Response.StatusCode = 410;
            return Task.CompletedTask;
        };
        await setup.Maker.CallAsync();
        var failed = await WaitForDeliveryAsync(webhooks, endpoint.Id, d => d.Status == WebhookDeliveryStatus.Failed);
        var gone = await webhooks.GetAsync(endpoint.Id, Cancel);

        receiver.Respond = (_, _, _) => Task.CompletedTask;
        await webhooks.UpdateAsync(endpoint.Id, new WebhookUpdateRequest { Enabled = true }, Cancel);
        // Since a moment after it was made: nothing to recover.
        await Task.Delay(1100, Cancel);
        var none = await webhooks.RecoverAsync(endpoint.Id, DateTimeOffset.UtcNow, Cancel);
        var recovered = await webhooks.RecoverAsync(endpoint.Id, since, Cancel);
        await receiver.WaitForCountAsync(2);
        var succeeded = await WaitForDeliveryAsync(webhooks, endpoint.Id, d => d.Status == WebhookDeliveryStatus.Succeeded);

        Assert.Equal((WebhookStatus.Disabled, 410), (gone.Status, failed.Attempts.Single().HttpStatus));
        Assert.Contains("410", gone.DisabledReason, StringComparison.Ordinal);
        Assert.Equal((0L, 1L), (none, recovered));
        Assert.Equal(failed.Id, succeeded.Id);
    }

    [Fact]
    public async Task ListAllDeliveriesAsync_pages_newest_first()
    {
        await using var setup = await ReceivingAsync();
        var (webhooks, endpoint) = (setup.Webhooks, setup.Endpoint);
        await setup.Maker.CallAsync("ringing", "in-progress", "completed");
        await setup.Maker.CallAsync("busy");
        await setup.Receiver.WaitForCountAsync(6);

        var all = await webhooks.ListAllDeliveriesAsync(endpoint.Id, new WebhookDeliveryListOptions { PerPage = 4 }, Cancel).ToListAsync(Cancel);
        var first = await webhooks.ListDeliveriesAsync(endpoint.Id, new WebhookDeliveryListOptions { PerPage = 4 }, Cancel);

        var events = await setup.Maker.FeedAsync();
        Assert.Equal(events.Select(e => e.Id).Reverse(), all.Select(d => d.EventId));
        Assert.Equal(all.Select(d => d.Id).Distinct().Count(), all.Count);
        Assert.Equal((4, true), (first.Items.Count, first.HasNext));
        Assert.Equal(all.Take(4).Select(d => d.Id), first.Items.Select(d => d.Id));
    }

    [Fact]
    public async Task Delete_removes_the_endpoint_and_unknown_or_unauthorised_requests_throw_the_APIs_answer()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        var webhooks = maker.Client.Webhooks;
        var endpoint = await webhooks.CreateAsync(new WebhookCreateRequest("https://a.example.com/hook"), Cancel);
        using var reader = gateway.Client(await gateway.CreateKeyAsync(maker.Account.Id, KeyScopes.Read));
        using var other = await EventMaker.CreateAsync(gateway);

        var readable = await reader.Webhooks.GetAsync(endpoint.Id, Cancel);
        var forbidden = await Assert.ThrowsAsync<SalpreApiException>(() => reader.Webhooks.DeleteAsync(endpoint.Id, Cancel));
        var elsewhere = await Assert.ThrowsAsync<SalpreApiException>(() => other.Client.Webhooks.GetAsync(endpoint.Id, Cancel));
        var badUrl = await Assert.ThrowsAsync<SalpreApiException>(() => webhooks.CreateAsync(new WebhookCreateRequest("http://169.254.169.254/latest"), Cancel));
        await webhooks.DeleteAsync(endpoint.Id, Cancel);
        var deleted = await Assert.ThrowsAsync<SalpreApiException>(() => webhooks.GetAsync(endpoint.Id, Cancel));

        Assert.Equal(endpoint.Id, readable.Id);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal((HttpStatusCode.NotFound, "Webhook not found. Please check the webhook ID."), (elsewhere.StatusCode, elsewhere.Message));
        Assert.Equal((HttpStatusCode.BadRequest, "url"), (badUrl.StatusCode, badUrl.Param));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (deleted.StatusCode, deleted.Code));
        Assert.Empty(await webhooks.ListAsync(Cancel));
    }

    /// <summary>The endpoint's one delivery once <paramref name="done"/> holds for it.</summary>
    private static async Task<WebhookDelivery> WaitForDeliveryAsync(WebhooksClient webhooks, string endpointId, Func<WebhookDelivery, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var page = await webhooks.ListDeliveriesAsync(endpointId, cancellationToken: Cancel);
            if (page.Items.Count == 1 && done(page.Items[0]))
            {
                return page.Items[0];
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The delivery did not get there in time: {string.Join("; ", page.Items)}");
            }
            await Task.Delay(50, Cancel);
        }
    }
}
