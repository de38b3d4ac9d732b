using Microsoft.Extensions.DependencyInjection;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Calls;

/// <summary>Kept pages are served only while the account's calls are unchanged, and never to another account.</summary>
public sealed class ListPageCacheTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    private const string List = "/api/gateway/v1/call/list";

    [Fact]
    public async Task A_kept_page_gives_way_to_new_calls_at_once()
    {
        var account = await gateway.CreateAccountAsync();
        var seeded = await gateway.SeedAsync(account.Id, CallData.Generate(15, seed: 1));
        var client = gateway.Client(account.Key);
        var first = await client.GetWireAsync($"{List}?per_page=5");
        var again = await client.GetWireAsync($"{List}?per_page=5");

        var newest = seeded.Max(c => c.Call.StartedAt) + 60;
        var added = await gateway.SeedAsync(account.Id, [CallData.Call(new Random(9), newest, 0)]);
        var after = await client.GetWireAsync($"{List}?per_page=5");

        Assert.Equal(first.Body, again.Body);
        Assert.Equal(first.Header("ETag"), again.Header("ETag"));
        Assert.Equal($"c{added[0].Call.CallNum}", after.CallIds[0]);
        Assert.NotEqual(first.Header("ETag"), after.Header("ETag"));
    }

    [Fact]
    public async Task Keeps_first_pages_but_not_the_pages_of_a_cursor_walk()
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(12, seed: 4));
        var client = gateway.Client(account.Key);
        var first = await client.GetWireAsync($"{List}?per_page=5");
        var cursorQuery = $"?cursor={Uri.EscapeDataString(first.Meta["next_cursor"]!.GetValue<string>())}";
        var second = await client.GetWireAsync(List + cursorQuery);

        var pages = gateway.Services.GetRequiredService<Salpre.Gateway.Calls.ListPageCache>();
        var version = await gateway.Calls.GetVersionAsync(account.Id, CancellationToken.None);
        Assert.Equal(200, second.Status);
        Assert.NotNull(pages.Find(account.Id, "?per_page=5", version));
        Assert.Null(pages.Find(account.Id, cursorQuery, version));
    }

    [Fact]
    public async Task Answers_304_to_a_client_whose_copy_is_current()
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(5, seed: 2));
        var client = gateway.Client(account.Key);
        var first = await client.GetWireAsync($"{List}?per_page=5");

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"{List}?per_page=5");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", first.Header("ETag"));
        var unchanged = await client.SendWireAsync(conditional);
        await gateway.SeedAsync(account.Id, [CallData.Call(new Random(3), CallData.Epoch.ToUnixTimeSeconds() + 99_999_999, 0)]);
        using var later = new HttpRequestMessage(HttpMethod.Get, $"{List}?per_page=5");
        later.Headers.TryAddWithoutValidation("If-None-Match", first.Header("ETag"));
        var changed = await client.SendWireAsync(later);

        Assert.Matches("^\"[0-9]+-[0-9]+\"$", first.Header("ETag"));
        Assert.Equal(304, unchanged.Status);
        Assert.Equal("", unchanged.Body);
        Assert.Equal(200, changed.Status);
        Assert.NotEqual(first.Header("ETag"), changed.Header("ETag"));
    }

    [Fact]
    public async Task Reads_afresh_for_a_client_that_asks_for_no_cache()
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(5, seed: 7));
        var client = gateway.Client(account.Key);
        var kept = await client.GetWireAsync($"{List}?per_page=5");

        using var fresh = new HttpRequestMessage(HttpMethod.Get, $"{List}?per_page=5");
        fresh.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        var read = await client.SendWireAsync(fresh);

        Assert.Equal(200, read.Status);
        Assert.Equal(kept.Body, read.Body);
        Assert.Equal(kept.Header("ETag"), read.Header("ETag"));
    }

    [Fact]
    public async Task Never_hands_one_accounts_page_to_another()
    {
        var a = await gateway.CreateAccountAsync();
        var b = await gateway.CreateAccountAsync();
        var aIds = (await gateway.SeedAsync(a.Id, CallData.Generate(10, seed: 4))).Select(c => $"c{c.Call.CallNum}").ToHashSet();
        await gateway.SeedAsync(b.Id, CallData.Generate(10, seed: 5));

        var forA = await gateway.Client(a.Key).GetWireAsync($"{List}?per_page=10");
        var forB = await gateway.Client(b.Key).GetWireAsync($"{List}?per_page=10");
        using var borrowed = new HttpRequestMessage(HttpMethod.Get, $"{List}?per_page=10");
        borrowed.Headers.TryAddWithoutValidation("If-None-Match", forA.Header("ETag"));
        var withAsTag = await gateway.Client(b.Key).SendWireAsync(borrowed);

        Assert.All(forA.CallIds, id => Assert.Contains(id, aIds));
        Assert.DoesNotContain(forB.CallIds, aIds.Contains);
        Assert.Equal(200, withAsTag.Status);
    }

    [Fact]
    public async Task Keeps_answering_invalid_queries_with_their_errors()
    {
        var account = await gateway.CreateAccountAsync();
        var client = gateway.Client(account.Key);

        var first = await client.GetWireAsync($"{List}?per_page=0");
        var second = await client.GetWireAsync($"{List}?per_page=0");

        Assert.Equal(400, first.Status);
        Assert.Equal(first.BodyWithoutRequestId(), second.BodyWithoutRequestId());
    }
}

/// <summary>With the page cache off, answers are the same but carry no entity tag.</summary>
public sealed class ListWithoutPageCacheTests(ListWithoutPageCacheTests.Gateway gateway) : IClassFixture<ListWithoutPageCacheTests.Gateway>
{
    public sealed class Gateway : GatewayFactory
    {
        public Gateway() => With("ListPageCache:Enabled", "false");
    }

    [Fact]
    public async Task Lists_fresh_calls_without_entity_tags()
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(12, seed: 6));

        var response = await gateway.Client(account.Key).GetWireAsync("/api/gateway/v1/call/list?per_page=5");

        Assert.Equal(200, response.Status);
        Assert.Equal(5, response.Data.Count);
        Assert.Null(response.Header("ETag"));
    }
}
