using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Webhooks;

/// <summary>Deliveries through the real gateway over HTTP to real receivers on 127.0.0.1.</summary>
public sealed class WebhookDeliveryTests(WebhookGateway gateway) : IClassFixture<WebhookGateway>
{
    private const string Webhooks = WebhookParties.Webhooks;

    [Fact]
    public async Task Each_change_arrives_signed_with_the_events_id_and_the_feeds_very_bytes()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var parties = await gateway.PartiesAsync();
        var (_, secret) = await parties.CreateEndpointAsync(receiver.Url);

        var callId = await parties.MakeCallAsync();
        await parties.ReportAsync(callId, "ringing");
        await parties.ReportAsync(callId, "in-progress");
        await parties.ReportAsync(callId, "completed");
        await receiver.WaitForCountAsync(4);
        await gateway.SettleEventsAsync();
        var feed = await parties.Api.GetWireAsync("/api/gateway/v1/events?per_page=100");

        var received = receiver.Received.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(feed.Data.Select(e => e!["id"]!.GetValue<string>()), received.Select(r => r.Id));
        Assert.Equal(feed.Data.Select(e => e!.ToJsonString()), received.Select(r => JsonNode.Parse(r.Body)!.ToJsonString()));
        Assert.All(received, r => Assert.Equal(r.Id, r.Json["id"]!.GetValue<string>()));
        Assert.All(received, r => Assert.True(Signatures.SignedBy(r, secret)));
        Assert.All(received, r => Assert.Single(Signatures.Of(r)));
        Assert.All(received, r => Assert.InRange(long.Parse(r.Headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        Assert.All(received, r => Assert.StartsWith("application/json", r.Headers["content-type"], StringComparison.Ordinal));
        Assert.All(received, r => Assert.StartsWith("Salpre-Gateway-Webhooks/", r.Headers["user-agent"], StringComparison.Ordinal));
        Assert.Equal(["call.initiated", "call.ringing", "call.in_progress", "call.completed"], received.Select(r => r.Json["type"]!.GetValue<string>()));
        Assert.Equal(4, receiver.Received.Count);
    }

    [Fact]
    public async Task An_endpoint_gets_only_the_types_it_takes_and_a_test_event_reaches_only_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var other = await WebhookReceiver.StartAsync();
        var parties = await gateway.PartiesAsync();
        var (id, _) = await parties.CreateEndpointAsync(receiver.Url, ""","event_types":["call.busy"]""");
        await parties.CreateEndpointAsync(other.Url, ""","event_types":["call.completed"]""");

        var callId = await parties.MakeCallAsync();
        await parties.ReportAsync(callId, "busy");
        var test = await parties.Api.PostJsonAsync($"{Webhooks}/{id}/test", "{}");
        await receiver.WaitForCountAsync(2);
        await Task.Delay(300, TestContext.Current.CancellationToken);

        Assert.Equal(200, test.Status);
        Assert.Equal("webhook.test", test.Json["data"]!["type"]!.GetValue<string>());
        Assert.Equal(["call.busy", "webhook.test"], receiver.Received.Select(r => r.Json["type"]!.GetValue<string>()).Order());
        Assert.Empty(other.Received);
        await gateway.SettleEventsAsync();
        Assert.DoesNotContain("webhook.test", (await parties.Api.GetWireAsync("/api/gateway/v1/events?per_page=100")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rotated_secret_signs_beside_the_new_one_and_a_second_rotation_keeps_the_latest_two()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var parties = await gateway.PartiesAsync();
        var (id, first) = await parties.CreateEndpointAsync(receiver.Url);
        var second = (await parties.Api.PostJsonAsync($"{Webhooks}/{id}/rotate-secret", "{}")).Json["data"]!;
        var secondSecret = second["secret"]!.GetValue<string>();

        await parties.MakeCallAsync();
        await receiver.WaitForCountAsync(1);
        var afterOne = receiver.Received.Last();
        var third = (await parties.Api.PostJsonAsync($"{Webhooks}/{id}/rotate-secret", "{}")).Json["data"]!["secret"]!.GetValue<string>();
        await parties.MakeCallAsync();
        await receiver.WaitForCountAsync(2);
        var afterTwo = receiver.Received.Last();

        Assert.NotNull(second["previous_secret_expires_at"]);
        Assert.Equal(2, Signatures.Of(afterOne).Count);
        Assert.Equal(Signatures.Expected(secondSecret, afterOne.Id, afterOne.Headers["webhook-timestamp"], afterOne.Body), Signatures.Of(afterOne)[0]);
        Assert.True(Signatures.SignedBy(afterOne, first));
        Assert.Equal(2, Signatures.Of(afterTwo).Count);
        Assert.Equal(Signatures.Expected(third, afterTwo.Id, afterTwo.Headers["webhook-timestamp"], afterTwo.Body), Signatures.Of(afterTwo)[0]);
        Assert.True(Signatures.SignedBy(afterTwo, secondSecret));
        Assert.False(Signatures.SignedBy(afterTwo, first));
    }

    [Fact]
    public async Task After_the_overlap_only_the_new_secret_signs()
    {
        await using var shortOverlap = new WebhookGateway();
        shortOverlap.With("Webhooks:RotationOverlap", "00:00:01");
        await shortOverlap.InitializeAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var parties = await shortOverlap.PartiesAsync();
        var (id, old) = await parties.CreateEndpointAsync(receiver.Url);
        var current = (await parties.Api.PostJsonAsync($"{Webhooks}/{id}/rotate-secret", "{}")).Json["data"]!["secret"]!.GetValue<string>();
        await Task.Delay(1500, TestContext.Current.CancellationToken);

        await parties.MakeCallAsync();
        await receiver.WaitForCountAsync(1);

        var request = receiver.Received.Single();
        Assert.Single(Signatures.Of(request));
        Assert.True(Signatures.SignedBy(request, current));
        Assert.False(Signatures.SignedBy(request, old));
        Assert.Null((await parties.Api.GetWireAsync($"{Webhooks}/{id}")).Json["data"]!["previous_secret_expires_at"]);
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_at_once_and_later_events_are_not_sent_to_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, context, _) =>
        {
            context.Response.StatusCode = 410;
            return context.Response.WriteAsync("gone for good");
        };
        var parties = await gateway.PartiesAsync();
        var (id, _) = await parties.CreateEndpointAsync(receiver.Url);

        await parties.MakeCallAsync();
        await receiver.WaitForCountAsync(1);
        var endpoint = await Eventually.GetAsync(async () => (await parties.Api.GetWireAsync($"{Webhooks}/{id}")).Json["data"]!,
            e => e["status"]!.GetValue<string>() == "disabled", "the endpoint disabled");
        await parties.MakeCallAsync();
        await Task.Delay(500, TestContext.Current.CancellationToken);
        var deliveries = await parties.DeliveriesAsync(id);

        Assert.Contains("410", endpoint["disabled_reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(receiver.Received);
        var delivery = Assert.Single(deliveries)!;
        Assert.Equal("failed", delivery["status"]!.GetValue<string>());
        var attempt = Assert.Single(delivery["attempts"]!.AsArray())!;
        Assert.Equal(410, attempt["http_status"]!.GetValue<int>());
        Assert.Equal("gone for good", attempt["response_body"]!.GetValue<string>());
    }

    [Fact]
    public async Task Attempts_record_status_latency_error_and_the_first_4_KB_of_the_answer()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, context, _) =>
        {
            context.Response.StatusCode = 500;
            return context.Response.WriteAsync(new string('x', 10_000));
        };
        var parties = await gateway.PartiesAsync();
        var (id, _) = await parties.CreateEndpointAsync(receiver.Url);
        await parties.MakeCallAsync();

        var delivery = await Eventually.GetAsync(async () => (await parties.DeliveriesAsync(id)).SingleOrDefault(), d => d?["attempts"]!.AsArray().Count == 1, "an attempt");
        var attempt = delivery!["attempts"]![0]!;

        Assert.Equal("pending", delivery["status"]!.GetValue<string>());
        Assert.Equal(1, delivery["attempt_count"]!.GetValue<int>());
        Assert.NotNull(delivery["next_attempt_at"]);
        Assert.Equal(500, attempt["http_status"]!.GetValue<int>());
        Assert.Equal("the endpoint answered 500", attempt["error"]!.GetValue<string>());
        Assert.Equal(4096, attempt["response_body"]!.GetValue<string>().Length);
        Assert.True(attempt["latency_ms"]!.GetValue<long>() >= 0);
    }

    [Fact]
    public async Task A_change_reaches_an_idle_nodes_receiver_within_100_ms_p50()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var parties = await gateway.PartiesAsync();
        await parties.CreateEndpointAsync(receiver.Url, ""","event_types":["call.initiated"]""");
        const int Calls = 40;
        var latencies = await MeasureAsync(parties, receiver, Calls, TimeSpan.FromMilliseconds(30));
        var p50 = latencies[latencies.Count / 2];
        var p99 = latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1];
        TestContext.Current.TestOutputHelper?.WriteLine($"commit-to-receiver latency over {Calls} calls: p50 {p50} ms, p99 {p99} ms, max {latencies[^1]} ms");
        Assert.True(p50 < 100, $"p50 {p50} ms");
    }

    [Fact]
    public async Task An_endpoint_that_never_answers_holds_only_its_own_slots()
    {
        await using var hung = await WebhookReceiver.StartAsync();
        hung.Respond = (_, _, stopping) => Task.Delay(Timeout.Infinite, stopping);
        await using var healthy = await WebhookReceiver.StartAsync();
        var parties = await gateway.PartiesAsync();
        await parties.CreateEndpointAsync(hung.Url);
        await gateway.Calls.ImportAsync(parties.Account.Id, CallData.Generate(500, seed: 15, firstNumber: 900_000).ToAsyncEnumerable(), withEvents: true,
            TestContext.Current.CancellationToken);
        await hung.WaitForCountAsync(4);
        await parties.CreateEndpointAsync(healthy.Url, ""","event_types":["call.initiated"]""");

        var latencies = await MeasureAsync(parties, healthy, calls: 100, TimeSpan.FromMilliseconds(20));
        var p99 = latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1];
        TestContext.Current.TestOutputHelper?.WriteLine($"healthy endpoint beside a hung one (500 queued): p50 {latencies[latencies.Count / 2]} ms, p99 {p99} ms; hung endpoint got {hung.Received.Count} requests");
        Assert.True(p99 < 1000, $"p99 {p99} ms");
        Assert.Equal(4, hung.Received.Count); // max_in_flight: the other 496 wait for its slots
    }

    /// <summary>
    /// Makes <paramref name="calls"/> calls <paramref name="spacing"/> apart; once the receiver has them all, the time from
    /// each event's commit (its timestamp) to its arrival, in milliseconds, shortest first.
    /// </summary>
    private static async Task<List<long>> MeasureAsync(WebhookParties parties, WebhookReceiver receiver, int calls, TimeSpan spacing)
    {
        for (var i = 0; i < calls; i++)
        {
            await parties.MakeCallAsync();
            await Task.Delay(spacing, TestContext.Current.CancellationToken);
        }
        await receiver.WaitForCountAsync(calls);
        return [.. receiver.Received.Select(r => r.ReceivedAt - DateTimeOffset.Parse(r.Json["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds()).Order()];
    }
}
