using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Tests.Calls;

/// <summary>Cursor paging: the same calls as page paging, stable under inserts, and tamper-evident.</summary>
public sealed class CallCursorTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    private const string List = "/api/gateway/v1/call/list";

    [Theory]
    [InlineData("")]
    [InlineData("&status=completed,failed")]
    [InlineData("&order=asc&agent_id=2,3")]
    [InlineData("&started_after=2025-10-03&tz=Europe/Istanbul")]
    public async Task A_cursor_walk_lists_what_a_page_walk_lists_and_counts_pages(string filter)
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(140, seed: 21));
        var client = gateway.Client(account.Key);

        var byPage = new List<string>();
        for (var page = 1; ; page++)
        {
            var response = await client.GetWireAsync($"{List}?per_page=9&page={page}{filter}");
            byPage.AddRange(response.CallIds);
            if (!response.Meta["has_next"]!.GetValue<bool>()) break;
        }

        var byCursor = new List<string>();
        var current = await client.GetWireAsync($"{List}?per_page=9{filter}");
        for (var expectedPage = 1; ; expectedPage++)
        {
            Assert.Equal(expectedPage, current.Meta["page"]!.GetValue<int>());
            byCursor.AddRange(current.CallIds);
            var cursor = current.Meta["next_cursor"]?.GetValue<string>();
            if (cursor is null) break;
            current = await client.GetWireAsync($"{List}?cursor={Uri.EscapeDataString(cursor)}");
        }

        Assert.NotEmpty(byPage);
        Assert.Equal(byPage, byCursor);
    }

    [Fact]
    public async Task A_cursor_walk_neither_repeats_nor_skips_while_new_calls_arrive()
    {
        var account = await gateway.CreateAccountAsync();
        var original = await gateway.SeedAsync(account.Id, CallData.Generate(60, seed: 4));
        var client = gateway.Client(account.Key);
        var newest = original.Max(c => c.Call.StartedAt);

        var seen = new List<string>();
        var response = await client.GetWireAsync($"{List}?per_page=10");
        for (var round = 0; ; round++)
        {
            seen.AddRange(response.CallIds);
            // Newer calls land between pages, as they do on a live account.
            await gateway.SeedAsync(account.Id, [CallData.Call(new Random(round), newest + 100 + round, 0)]);
            var cursor = response.Meta["next_cursor"]?.GetValue<string>();
            if (cursor is null) break;
            response = await client.GetWireAsync($"{List}?cursor={Uri.EscapeDataString(cursor)}");
        }

        Assert.Equal(original.InListOrder().Select(c => $"c{c.Call.CallNum}"), seen);
    }

    [Fact]
    public async Task Keeps_the_cursors_filter_and_takes_a_new_page_size()
    {
        var account = await gateway.CreateAccountAsync();
        var seeded = await gateway.SeedAsync(account.Id, CallData.Generate(80, seed: 8));
        var client = gateway.Client(account.Key);
        var first = await client.GetWireAsync($"{List}?per_page=5&status=completed");
        var cursor = Uri.EscapeDataString(first.Meta["next_cursor"]!.GetValue<string>());

        var alone = await client.GetWireAsync($"{List}?cursor={cursor}");
        var repeated = await client.GetWireAsync($"{List}?cursor={cursor}&status=completed&per_page=5&page=2");
        var bigger = await client.GetWireAsync($"{List}?cursor={cursor}&per_page=20");

        var completed = seeded.Where(c => c.Call.Status == CallStatus.Completed).InListOrder().Select(c => $"c{c.Call.CallNum}").ToList();
        Assert.Equal(completed.Skip(5).Take(5), alone.CallIds);
        Assert.Equal(alone.Body, repeated.Body);
        Assert.Equal(completed.Skip(5).Take(20), bigger.CallIds);
        Assert.Equal(2, bigger.Meta["page"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("&status=failed", "cursor")]
    [InlineData("&order=asc", "cursor")]
    [InlineData("&page=3", "page")]
    public async Task Refuses_a_cursor_with_a_different_filter_or_page(string extra, string parameter)
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(200, seed: 2));
        var client = gateway.Client(account.Key);
        var first = await client.GetWireAsync($"{List}?per_page=5&status=completed");
        var cursor = Uri.EscapeDataString(first.Meta["next_cursor"]!.GetValue<string>());

        var response = await client.GetWireAsync($"{List}?cursor={cursor}{extra}");

        Assert.Equal(400, response.Status);
        Assert.Equal($"Invalid {parameter} value", response.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Refuses_every_altered_cursor_and_other_accounts_cursors_alike()
    {
        var owner = await gateway.CreateAccountAsync();
        var stranger = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(owner.Id, CallData.Generate(30, seed: 12));
        await gateway.SeedAsync(stranger.Id, CallData.Generate(30, seed: 12));
        var cursor = (await gateway.Client(owner.Key).GetWireAsync($"{List}?per_page=5")).Meta["next_cursor"]!.GetValue<string>();

        var garbage = await gateway.Client(owner.Key).GetWireAsync($"{List}?cursor=garbage");
        Assert.Equal(400, garbage.Status);
        Assert.StartsWith("""{"status":"error","message":"Invalid cursor value","code":"invalid_parameter","param":"cursor",""", garbage.Body);

        // Every single-character change of the cursor is refused.
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (var i = 0; i < cursor.Length; i++)
        {
            var replacement = alphabet[(alphabet.IndexOf(cursor[i], StringComparison.Ordinal) + 1) % alphabet.Length];
            var altered = string.Concat(cursor.AsSpan(0, i), replacement.ToString(), cursor.AsSpan(i + 1));
            var response = await gateway.Client(owner.Key).GetWireAsync($"{List}?cursor={altered}");
            Assert.True(response.Status == 400, $"position {i} changed was accepted");
            Assert.Equal(garbage.BodyWithoutRequestId(), response.BodyWithoutRequestId());
        }

        // A stray "=" once passed Base64Url.IsValid and then made the decoder throw: a 500 the fuzz suite found.
        foreach (var mangled in new[] { cursor[..^1], cursor + "A", cursor + "=", cursor + "==", "", "%00", new string('A', 5000) })
        {
            var response = await gateway.Client(owner.Key).GetWireAsync($"{List}?cursor={Uri.EscapeDataString(mangled)}");
            Assert.Equal(garbage.BodyWithoutRequestId(), response.BodyWithoutRequestId());
        }

        var foreign = await gateway.Client(stranger.Key).GetWireAsync($"{List}?cursor={cursor}");
        Assert.Equal(garbage.BodyWithoutRequestId(), foreign.BodyWithoutRequestId());
    }
}
