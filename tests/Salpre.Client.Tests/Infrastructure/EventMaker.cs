using System.Net.Http.Json;
using Salpre.Storage.Accounts;

namespace Salpre.Client.Tests.Infrastructure;

/// <summary>
/// Makes real events as production does: an account with a connected box places calls through make-call, and the
/// box reports their statuses with an ingest key over HTTP.
/// </summary>
public sealed class EventMaker(TestAccount account, string serial, SalpreClient client, HttpClient box) : IDisposable
{
    public TestAccount Account => account;

    public string Serial => serial;

    /// <summary>A client with the account's read-write key.</summary>
    public SalpreClient Client => client;

    public static async Task<EventMaker> CreateAsync(GatewayServer gateway)
    {
        var account = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);
        var box = new HttpClient { BaseAddress = gateway.BaseAddress };
        box.DefaultRequestHeaders.Add("account-secret-key", await gateway.CreateKeyAsync(account.Id, KeyScopes.Ingest));
        return new EventMaker(account, serial, gateway.Client(account.Key), box);
    }

    /// <summary>A call made, then carried through <paramref name="statuses"/>: one event each, plus call.initiated.</summary>
    public async Task<string> CallAsync(params string[] statuses)
    {
        var call = await Client.Calls.MakeAsync(new MakeCallRequest($"salprebox:{Serial}", "+905321234567", 5), TestContext.Current.CancellationToken);
        foreach (var status in statuses)
        {
            using var response = await box.PostAsJsonAsync($"/api/gateway/v1/call/{call.CallId}/events", new { status }, TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, $"The report of {status} for {call.CallId} answered {(int)response.StatusCode}.");
        }
        return call.CallId;
    }

    /// <summary>Three calls, ending busy, completed (through ringing and in-progress) and no-answer; the feed's 7 events.</summary>
    public async Task<List<SalpreEvent>> ThreeEndingsAsync()
    {
        await CallAsync("busy");
        await CallAsync("ringing", "in-progress", "completed");
        await CallAsync("no-answer");
        return await FeedAsync();
    }

    /// <summary>Every event of the account's feed, oldest first.</summary>
    public async Task<List<SalpreEvent>> FeedAsync() =>
        await client.Events.ListAllAsync(cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

    public void Dispose()
    {
        client.Dispose();
        box.Dispose();
    }
}
