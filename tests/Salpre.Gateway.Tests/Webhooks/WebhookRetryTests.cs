using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Webhooks;

/// <summary>Retries, deletion and recovery on a fake clock that the whole gateway runs on (HTTP stays real).</summary>
public sealed class WebhookRetryTests(WebhookRetryTests.Gateway gateway) : IClassFixture<WebhookRetryTests.Gateway>
{
    private const string Webhooks = WebhookParties.Webhooks;

    public sealed class Gateway : WebhookGateway
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        public Gateway() => WithServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    private static DateTimeOffset? Instant(System.Text.Json.Nodes.JsonNode? node) =>
        node is null ? null : DateTimeOffset.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture);

    private static void Failing(WebhookReceiver receiver, int status = 500, string? retryAfter = null) => receiver.Respond = (_, context, _) =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }
        return Task.CompletedTask;
    };

    /// <summary>The endpoint's newest delivery once its attempt number <paramref name="attempts"/> is recorded.</summary>
    private static async Task<System.Text.Json.Nodes.JsonNode> DeliveryAfterAttemptAsync(WebhookParties parties, string endpointId, int attempts) =>
        (await Eventually.GetAsync(async () => (await parties.DeliveriesAsync(endpointId)).FirstOrDefault(),
            delivery => delivery?["attempts"]!.AsArray().Count >= attempts, $"attempt {attempts}"))!;

    [Fact]
    public async Task A_failing_delivery_is_tried_on_the_schedule_then_failed_and_the_endpoint_disabled_after_five_days()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        Failing(receiver);
        var parties = await gateway.PartiesAsync();
        var (id, _) = await parties.CreateEndpointAsync(receiver.Url);
        await parties.MakeCallAsync();

        TimeSpan[] waits = [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10)];
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            await receiver.WaitForCountAsync(attempt);
            var delivery = await DeliveryAfterAttemptAsync(parties, id, attempt);
            var triedAt = Instant(delivery["attempts"]![attempt - 1]!["at"])!.Value;
            if (attempt < 8)
            {
                var next = Instant(delivery["next_attempt_at"])!.Value;
                Assert.Equal("pending", delivery["status"]!.GetValue<string>());
                Assert.InRange(next, triedAt + waits[attempt - 1] * 0.8 - TimeSpan.FromSeconds(1), triedAt + waits[attempt - 1] * 1.2 + TimeSpan.FromSeconds(1));
                Assert.Equal(attempt, receiver.Received.Count);
                gateway.Clock.SetUtcNow(next.AddSeconds(1));
            }
            else
            {
                Assert.Equal("failed", delivery["status"]!.GetValue<string>());
                Assert.Null(delivery["next_attempt_at"]);
                Assert.Equal(8, delivery["attempt_count"]!.GetValue<int>());
            }
        }
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal(8, receiver.Received.Count);
        Assert.Single(receiver.Received.Select(r => r.Id).Distinct());
        Assert.Equal(8, receiver.Received.Select(r => r.Headers["webhook-timestamp"]).Distinct().Count());
        var endpoint = (await parties.Api.GetWireAsync($"{Webhooks}/{id}")).Json["data"]!;
        Assert.Equal("enabled", endpoint["status"]!.GetValue<string>());
        Assert.NotNull(endpoint["failing_since"]);

        // Five days without a success: the next failure disables the endpoint, with the reason kept.
        gateway.Clock.Advance(TimeSpan.FromDays(5));
        await parties.Box.PostJsonAsync("/api/gateway/v1/salprebox/heartbeat", $$"""{"serial_no":"{{parties.Serial}}"}""");
        await parties.MakeCallAsync();
        await receiver.WaitForCountAsync(9);
        var disabled = await WaitForStatusAsync(parties, id, "disabled");
        Assert.Equal("no successful delivery for 5 days", disabled["disabled_reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("30", 30)]
    [InlineData("7200", 3600)]
    public async Task Retry_After_sets_the_wait_up_to_an_hour(string retryAfter, int seconds)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        Failing(receiver, 503, retryAfter);
        var parties = await gateway.PartiesAsync();
        var (id, _) = await parties.CreateEndpointAsync(receiver.Url);
        await parties.MakeCallAsync();

        var delivery = await DeliveryAfterAttemptAsync(parties, id, 1);
        var triedAt = Instant(delivery["attempts"]![0]!["at"])!.Value;

        Assert.InRange(Instant(delivery["next_attempt_at"])!.Value, triedAt.AddSeconds(seconds - 1), triedAt.AddSeconds(seconds + 1));
    }

    [Fact]
    public async Task Deleting_an_endpoint_cancels_what_it_had_pending()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        Failing(receiver);
        var parties = await gateway.PartiesAsync();
        var (id, _) = await parties.CreateEndpointAsync(receiver.Url);
        await parties.MakeCallAsync();
        await parties.MakeCallAsync();
        await receiver.WaitForCountAsync(2);
        await DeliveryAfterAttemptAsync(parties, id, 1);

        Assert.Equal(200, (await parties.Api.SendWireAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Webhooks}/{id}"))).Status);
        gateway.Clock.Advance(TimeSpan.FromHours(30));
        await Task.Delay(800, TestContext.Current.CancellationToken);

        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal(404, (await parties.Api.GetWireAsync($"{Webhooks}/{id}/deliveries")).Status);
    }

    [Fact]
    public async Task Recover_sends_again_only_what_failed_and_retry_sends_one_delivery_now()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var parties = await gateway.PartiesAsync();
        var since = gateway.Clock.GetUtcNow().AddSeconds(-1);
        var (id, _) = await parties.CreateEndpointAsync(receiver.Url, ""","event_types":["call.initiated"]""");
        await parties.MakeCallAsync();
        await receiver.WaitForCountAsync(1);
        var delivered = receiver.Received.Single().Id;

        Failing(receiver);
        await parties.MakeCallAsync();
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            await receiver.WaitForCountAsync(1 + attempt);
            await Task.Delay(100, TestContext.Current.CancellationToken);
            gateway.Clock.Advance(TimeSpan.FromHours(13));
        }
        var failed = receiver.Received.Last().Id;
        await WaitForDeliveriesAsync(parties, id, d => d.Count(x => x!["status"]!.GetValue<string>() == "failed") == 1);

        receiver.Respond = (_, _, _) => Task.CompletedTask;
        var recovered = await parties.Api.PostJsonAsync($"{Webhooks}/{id}/recover",
            $$"""{"since":"{{since.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}"}""");
        await receiver.WaitForCountAsync(10);
        await Task.Delay(300, TestContext.Current.CancellationToken);

        Assert.Equal(1, recovered.Json["data"]!["recovered"]!.GetValue<long>());
        Assert.Equal(10, receiver.Received.Count);
        Assert.Equal(failed, receiver.Received.Last().Id);
        Assert.Single(receiver.Received, r => r.Id == delivered);
        await WaitForDeliveriesAsync(parties, id, d => d.All(x => x!["status"]!.GetValue<string>() == "succeeded"));

        var succeeded = (await parties.DeliveriesAsync(id)).First()!["id"]!.GetValue<string>();
        var retried = await parties.Api.PostJsonAsync($"{Webhooks}/{id}/deliveries/{succeeded}/retry", "{}");
        await receiver.WaitForCountAsync(11);
        Assert.Equal(200, retried.Status);
        Assert.Equal(404, (await parties.Api.PostJsonAsync($"{Webhooks}/{id}/deliveries/dlv_999999999/retry", "{}")).Status);
        Assert.Equal(400, (await parties.Api.PostJsonAsync($"{Webhooks}/{id}/recover", """{"since":"yesterday"}""")).Status);
    }

    [Fact]
    public async Task A_delivery_being_sent_is_not_sent_again_by_a_retry_until_its_attempt_ends()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Respond = (_, _, _) => release.Task;
        var parties = await gateway.PartiesAsync();
        var (id, _) = await parties.CreateEndpointAsync(receiver.Url);
        await parties.MakeCallAsync();
        await receiver.WaitForCountAsync(1);
        var delivery = (await parties.DeliveriesAsync(id)).Single()!["id"]!.GetValue<string>();

        var whileSent = await parties.Api.PostJsonAsync($"{Webhooks}/{id}/deliveries/{delivery}/retry", "{}");
        release.SetResult();
        await WaitForDeliveriesAsync(parties, id, d => d.Single()!["status"]!.GetValue<string>() == "succeeded");
        var afterwards = await parties.Api.PostJsonAsync($"{Webhooks}/{id}/deliveries/{delivery}/retry", "{}");
        await receiver.WaitForCountAsync(2);

        Assert.Equal(409, whileSent.Status);
        Assert.Equal("conflict", whileSent.Json["code"]!.GetValue<string>());
        Assert.Equal(200, afterwards.Status);
        Assert.Equal(2, receiver.Received.Count);
    }

    private static Task<System.Text.Json.Nodes.JsonNode> WaitForStatusAsync(WebhookParties parties, string id, string status) =>
        Eventually.GetAsync(async () => (await parties.Api.GetWireAsync($"{Webhooks}/{id}")).Json["data"]!,
            endpoint => endpoint["status"]!.GetValue<string>() == status, $"status {status}");

    private static Task WaitForDeliveriesAsync(WebhookParties parties, string id, Func<System.Text.Json.Nodes.JsonArray, bool> done) =>
        Eventually.GetAsync(() => parties.DeliveriesAsync(id), done, "the deliveries' expected state");
}
