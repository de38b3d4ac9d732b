using System.Globalization;
using System.Net;
using Salpre.Client.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Client.Tests;

/// <summary><c>Calls.DeleteAsync</c> and <c>Calls.EraseAsync</c> against the real gateway over HTTP, each test with accounts of its own.</summary>
public sealed class CallRemovalAgainstGatewayTests(GatewayServer gateway) : IClassFixture<GatewayServer>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DeleteAsync_answers_the_deletion_and_the_call_is_then_gone_everywhere()
    {
        using var maker = await EventMaker.CreateAsync(gateway);
        var calls = maker.Client.Calls;
        var deleted = await maker.CallAsync("ringing", "in-progress", "completed");
        var kept = await maker.CallAsync("busy");

        var deletion = await calls.DeleteAsync(deleted, Cancel);
        var get = await Assert.ThrowsAsync<SalpreApiException>(() => calls.GetAsync(deleted, Cancel));
        var again = await Assert.ThrowsAsync<SalpreApiException>(() => calls.DeleteAsync(deleted, Cancel));
        var listed = await calls.ListAllAsync(cancellationToken: Cancel).ToListAsync(Cancel);
        var feed = await maker.FeedAsync();

        Assert.Equal(new CallDeletion(deleted, Deleted: true), deletion);
        Assert.Equal((HttpStatusCode.NotFound, "not_found", "Call not found. Please check the call ID."), (get.StatusCode, get.Code, get.Message));
        Assert.Equal((HttpStatusCode.NotFound, "not_found", get.Message), (again.StatusCode, again.Code, again.Message));
        Assert.Equal(kept, Assert.Single(listed).CallId);
        // Its own events went with it; what is left of it is the call.deleted event, which carries its id alone.
        Assert.DoesNotContain(feed, e => e.Call?.CallId == deleted);
        var last = feed[^1];
        Assert.Equal((EventTypes.CallDeleted, deleted), (last.Type, last.DeletedCallId));
        Assert.Null(last.Call);
        Assert.Equal($$"""{"call_id":"{{deleted}}"}""", last.Data.GetRawText());
        Assert.Equal(kept, feed[^2].Call!.CallId);
    }

    [Fact]
    public async Task DeleteAsync_takes_the_calls_number_and_answers_its_call_id()
    {
        var account = await gateway.CreateAccountAsync();
        var stored = await gateway.SeedAsync(account.Id, 3);
        using var client = gateway.Client(account.Key);
        var number = stored[1].Call.CallNum.ToString(CultureInfo.InvariantCulture);

        var deletion = await client.Calls.DeleteAsync(number, Cancel);
        var get = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.GetAsync(stored[1].CallId(), Cancel));
        var remaining = await client.Calls.ListAllAsync(cancellationToken: Cancel).ToListAsync(Cancel);

        Assert.Equal(new CallDeletion(stored[1].CallId(), Deleted: true), deletion);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal([stored[0].CallId(), stored[2].CallId()], remaining.Select(c => c.CallId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_read_only_key_gets_403_and_another_accounts_call_404_and_both_calls_stay()
    {
        var account = await gateway.CreateAccountAsync();
        var stored = await gateway.SeedAsync(account.Id, 1);
        var other = await gateway.CreateAccountAsync();
        using var owner = gateway.Client(account.Key);
        using var reader = gateway.Client(await gateway.CreateKeyAsync(account.Id, KeyScopes.Read));
        using var stranger = gateway.Client(other.Key);
        var callId = stored[0].CallId();

        var forbidden = await Assert.ThrowsAsync<SalpreApiException>(() => reader.Calls.DeleteAsync(callId, Cancel));
        var forbiddenErasure = await Assert.ThrowsAsync<SalpreApiException>(() => reader.Calls.EraseAsync(stored[0].Call.To, Cancel));
        var elsewhere = await Assert.ThrowsAsync<SalpreApiException>(() => stranger.Calls.DeleteAsync(callId, Cancel));

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (forbidden.StatusCode, forbiddenErasure.StatusCode));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (elsewhere.StatusCode, elsewhere.Code));
        Assert.Equal(callId, (await owner.Calls.GetAsync(callId, Cancel)).CallId);
    }

    [Fact]
    public async Task EraseAsync_counts_the_numbers_calls_which_are_then_gone_and_no_other_accounts()
    {
        var account = await gateway.CreateAccountAsync();
        var stored = await gateway.SeedAsync(account.Id, 40);
        var other = await gateway.CreateAccountAsync();
        var otherStored = await gateway.SeedAsync(other.Id, 20);
        using var client = gateway.Client(account.Key);
        using var otherClient = gateway.Client(other.Key);
        var phone = stored[0].Call.To;
        var expected = stored.Where(c => c.Call.To == phone || c.Call.From == phone).Select(c => c.CallId()).ToHashSet();

        var erased = await client.Calls.EraseAsync(phone, Cancel);
        var again = await client.Calls.EraseAsync(phone, Cancel);
        var remaining = await client.Calls.ListAllAsync(new CallListOptions { PerPage = 100 }, Cancel).ToListAsync(Cancel);
        var otherRemaining = await otherClient.Calls.ListAllAsync(new CallListOptions { PerPage = 100 }, Cancel).ToListAsync(Cancel);
        var feed = await client.Events.ListAllAsync(cancellationToken: Cancel).ToListAsync(Cancel);

        Assert.InRange(expected.Count, 2, 39);
        Assert.Equal((expected.Count, 0L), (erased, again));
        Assert.Equal(stored.Select(c => c.CallId()).Except(expected).Order(StringComparer.Ordinal), remaining.Select(c => c.CallId).Order(StringComparer.Ordinal));
        Assert.Contains(otherStored, c => c.Call.To == phone);
        Assert.Equal(otherStored.Count, otherRemaining.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), feed.Where(e => e.Type == EventTypes.CallDeleted).Select(e => e.DeletedCallId!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EraseAsync_refuses_a_number_that_is_not_E164_naming_phone()
    {
        var account = await gateway.CreateAccountAsync();
        var stored = await gateway.SeedAsync(account.Id, 2);
        using var client = gateway.Client(account.Key);

        var refused = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.EraseAsync("0532 123 45 67", Cancel));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_parameter", "phone"), (refused.StatusCode, refused.Code, refused.Param));
        Assert.Equal(2, (await client.Calls.ListAsync(cancellationToken: Cancel)).Items.Count);
    }
}
