using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Salpre.Client.Tests.Infrastructure;
using Stored = Salpre.Storage.Calls;

namespace Salpre.Client.Tests;

/// <summary>Every method of the client against the real gateway over HTTP on 127.0.0.1.</summary>
public sealed class CallsAgainstGatewayTests(CallsAgainstGatewayTests.Seeded gateway) : IClassFixture<CallsAgainstGatewayTests.Seeded>
{
    /// <summary>One account with 1,200 calls and a connected box.</summary>
    public sealed class Seeded : GatewayServer
    {
        public TestAccount Account { get; private set; } = null!;
        public IReadOnlyList<Stored.CallDetailsRecord> Stored { get; private set; } = [];
        public string Serial { get; private set; } = "";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Account = await CreateAccountAsync();
            Stored = await SeedAsync(Account.Id, 1_200);
            Serial = await AddBoxAsync(Account.Id);
        }
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListAsync_returns_one_page_with_its_paging_facts()
    {
        using var client = gateway.Client(gateway.Account.Key);

        var page = await client.Calls.ListAsync(new CallListOptions { PerPage = 25, IncludeTotal = true }, Cancel);
        var second = await client.Calls.ListAsync(new CallListOptions { PerPage = 25, Cursor = page.NextCursor }, Cancel);

        var expected = gateway.Stored.InListOrder().ToList();
        Assert.Equal(expected.Take(25).Select(c => c.CallId()), page.Items.Select(c => c.CallId));
        Assert.Equal((1, 25, true, 1_200L), (page.Page, page.PerPage, page.HasNext, page.Total!.Value));
        Assert.NotNull(page.NextCursor);
        Assert.Equal(expected.Skip(25).Take(25).Select(c => c.CallId()), second.Items.Select(c => c.CallId));
        Assert.Equal(2, second.Page);
        Assert.Empty(page.IgnoredParameters);
    }

    [Fact]
    public async Task ListAsync_maps_every_field_of_a_call()
    {
        using var client = gateway.Client(gateway.Account.Key);

        var page = await client.Calls.ListAsync(new CallListOptions { PerPage = 100 }, Cancel);

        var stored = gateway.Stored.ToDictionary(c => c.CallId());
        foreach (var call in page.Items)
        {
            var expected = stored[call.CallId].Call;
            Assert.Equal(Stored.CallStatuses.ToWire(expected.Status), Serialization.WireNames.ToWire(call.Status));
            Assert.Equal((expected.From, expected.To, expected.AgentId, Stored.CallStatuses.ToWire(expected.Direction)), (call.From, call.To, call.AgentId, Serialization.WireNames.ToWire(call.Direction)));
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(expected.StartedAt), call.StartedAt);
            Assert.Equal(expected.EndedAt is { } ended ? DateTimeOffset.FromUnixTimeSeconds(ended) : null, call.EndedAt);
            Assert.Equal(expected.DurationSec, call.DurationSec);
        }
    }

    [Fact]
    public async Task ListAllAsync_over_1200_calls_equals_a_direct_walk_of_the_pages()
    {
        using var client = gateway.Client(gateway.Account.Key);
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        http.DefaultRequestHeaders.Add("account-secret-key", gateway.Account.Key);

        var all = await client.Calls.ListAllAsync(new CallListOptions { PerPage = 100 }, Cancel).ToListAsync(Cancel);

        // The direct walk: page numbers over raw HTTP, read as plain JSON.
        var walked = new List<string>();
        for (var page = 1; ; page++)
        {
            using var document = JsonDocument.Parse(await http.GetStringAsync($"/api/gateway/v1/call/list?per_page=100&page={page}", Cancel));
            walked.AddRange(document.RootElement.GetProperty("data").EnumerateArray().Select(call => call.GetProperty("call_id").GetString()!));
            if (!document.RootElement.GetProperty("meta").GetProperty("has_next").GetBoolean())
            {
                break;
            }
        }
        Assert.Equal(1_200, all.Count);
        Assert.Equal(walked, all.Select(call => call.CallId));
        Assert.Equal(gateway.Stored.InListOrder().Select(c => c.CallId()), walked);
    }

    [Fact]
    public async Task ListAllAsync_applies_every_typed_filter_as_the_gateway_does()
    {
        using var client = gateway.Client(gateway.Account.Key);
        var after = CallData.Epoch.AddDays(3).AddMilliseconds(500);
        var before = CallData.Epoch.AddDays(20);
        var options = new CallListOptions
        {
            PerPage = 7,
            Statuses = [CallStatus.Completed, CallStatus.Busy],
            AgentIds = [2, 4],
            Direction = CallDirection.Outbound,
            StartedAfter = after,
            StartedBefore = before,
            MinDuration = TimeSpan.FromSeconds(0),
            MaxDuration = TimeSpan.FromSeconds(600),
            Order = CallOrder.Ascending,
        };

        var calls = await client.Calls.ListAllAsync(options, Cancel).ToListAsync(Cancel);

        var afterSecond = after.ToUnixTimeSeconds() + 1;
        var expected = gateway.Stored
            .Where(c => c.Call.Status is Stored.CallStatus.Completed or Stored.CallStatus.Busy)
            .Where(c => c.Call.AgentId is 2 or 4 && c.Call.Direction == Stored.CallDirection.Outbound)
            .Where(c => c.Call.StartedAt >= afterSecond && c.Call.StartedAt < before.ToUnixTimeSeconds())
            .Where(c => c.Call.DurationSec is >= 0 and <= 600)
            .InListOrder(ascending: true)
            .Select(c => c.CallId())
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, calls.Select(c => c.CallId));
    }

    [Fact]
    public async Task A_plus_in_a_number_filter_reaches_the_gateway_intact()
    {
        using var client = gateway.Client(gateway.Account.Key);
        var to = gateway.Stored[0].Call.To;

        var calls = await client.Calls.ListAllAsync(new CallListOptions { PerPage = 100, To = to, From = gateway.Stored[0].Call.From }, Cancel).ToListAsync(Cancel);

        Assert.Equal(gateway.Stored.Count(c => c.Call.To == to && c.Call.From == gateway.Stored[0].Call.From), calls.Count);
        Assert.All(calls, call => Assert.Equal(to, call.To));
    }

    [Fact]
    public async Task ListAllAsync_stops_when_the_caller_cancels()
    {
        using var client = gateway.Client(gateway.Account.Key);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.Calls.ListAllAsync(new CallListOptions { PerPage = 50 }, cancellation.Token))
            {
                if (++seen == 120)
                {
                    await cancellation.CancelAsync();
                }
            }
        });
        Assert.Equal(120, seen);
    }

    [Fact]
    public async Task GetAsync_reads_details_by_either_id_form()
    {
        using var client = gateway.Client(gateway.Account.Key);
        var stored = gateway.Stored.First(c => c.Call.Status == Stored.CallStatus.Completed);

        var byId = await client.Calls.GetAsync(stored.CallId(), Cancel);
        var byNumber = await client.Calls.GetAsync(stored.Call.CallNum.ToString(System.Globalization.CultureInfo.InvariantCulture), Cancel);

        Assert.Equal(stored.CallId(), byId.CallId);
        Assert.Equal(byId, byNumber with { Variables = byId.Variables });
        Assert.Equal(stored.AudioRecordUrl, byId.AudioRecordUrl);
        Assert.Equal(stored.Transcript, byId.Transcript);
        Assert.Equal(4, byId.Variables!["score"].GetInt32());
        Assert.Equal(CallStatus.Completed, byId.Status);
    }

    [Fact]
    public async Task MakeAsync_starts_a_call_whose_logs_and_details_then_show()
    {
        // Another account, so that the seeded one keeps exactly its seeded calls.
        var account = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);
        using var client = gateway.Client(account.Key);

        var made = await client.Calls.MakeAsync(new MakeCallRequest($"salprebox:{serial}", "+905321234567", 5), Cancel);
        var logs = await client.Calls.GetLogsAsync(made.CallId, Cancel);
        var details = await client.Calls.GetAsync(made.CallId, Cancel);

        Assert.Equal((CallStatus.Initiated, 5L, "+905321234567", false), (made.Status, made.AgentId, made.To, made.Replayed));
        Assert.Equal(CallStatus.Initiated, Assert.Single(logs).Status);
        Assert.Equal(made.CallId, details.CallId);
        Assert.Equal(CallDirection.Outbound, details.Direction);
    }

    [Fact]
    public async Task MakeAsync_with_the_callers_key_replays_the_first_answer()
    {
        var account = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);
        using var client = gateway.Client(account.Key);
        var request = new MakeCallRequest($"salprebox:{serial}", "+905321234568", 3) { IdempotencyKey = $"order-{Guid.NewGuid():N}" };

        var first = await client.Calls.MakeAsync(request, Cancel);
        var again = await client.Calls.MakeAsync(request, Cancel);

        Assert.Equal(first.CallId, again.CallId);
        Assert.True(again.Replayed);
    }

    [Fact]
    public async Task Devices_ListAsync_shows_the_accounts_boxes()
    {
        using var client = gateway.Client(gateway.Account.Key);

        var devices = await client.Devices.ListAsync(Cancel);

        var device = Assert.Single(devices);
        Assert.Equal((gateway.Serial, true, 90), (device.SerialNo, device.Connected, device.BatteryLevel!.Value));
        Assert.NotNull(device.LastSeen);
    }

    [Fact]
    public async Task AddSalpreClient_gives_a_typed_client_through_IHttpClientFactory()
    {
        var services = new ServiceCollection();
        services.AddSalpreClient(options =>
        {
            options.ApiKey = gateway.Account.Key;
            options.BaseAddress = gateway.BaseAddress;
        });
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<SalpreClient>();
        var page = await client.Calls.ListAsync(new CallListOptions { PerPage = 3 }, Cancel);

        Assert.Equal(3, page.Items.Count);
        Assert.Equal(gateway.BaseAddress, client.Options.BaseAddress);
    }
}
