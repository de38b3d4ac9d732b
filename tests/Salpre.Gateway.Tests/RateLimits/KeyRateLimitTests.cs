using Salpre.Gateway.RateLimits;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.RateLimits;

/// <summary>Per-key token buckets in one node: headers on every authenticated answer, 429 beyond the burst.</summary>
public sealed class KeyRateLimitTests(KeyRateLimitTests.Gateway gateway) : IClassFixture<KeyRateLimitTests.Gateway>
{
    private const string List = "/api/gateway/v1/call/list";

    public sealed class Gateway : GatewayFactory
    {
        public Gateway()
        {
            With("RateLimiting:RequestsPerSecond", "1");
            With("RateLimiting:Burst", "5");
        }
    }

    [Fact]
    public async Task A_key_gets_its_burst_then_429_in_the_envelope_with_Retry_After()
    {
        var account = await gateway.CreateAccountAsync();
        var client = gateway.Client(account.Key);

        var answers = await SendUntilLimitedAsync(client, 20);

        var allowed = answers.TakeWhile(a => a.Status == 200).ToList();
        // The burst, plus at most the tokens that one refill per second adds while the loop runs.
        Assert.InRange(allowed.Count, 5, 7);
        Assert.All(allowed, a => Assert.Equal("\"key\";q=5;w=5", a.Header(KeyRateLimiter.PolicyHeader)));
        Assert.Matches("^\"key\";r=4;t=1$", allowed[0].Header(KeyRateLimiter.StateHeader));
        var limited = answers[^1];
        Assert.Equal(429, limited.Status);
        Assert.Equal("error", limited.Json["status"]!.GetValue<string>());
        Assert.Equal("rate_limited", limited.Json["code"]!.GetValue<string>());
        Assert.InRange(int.Parse(limited.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture), 1, 1);
        Assert.Equal("\"key\";r=0;t=1", limited.Header(KeyRateLimiter.StateHeader));
        Assert.Equal("\"key\";q=5;w=5", limited.Header(KeyRateLimiter.PolicyHeader));
    }

    [Fact]
    public async Task Each_key_has_its_own_bucket()
    {
        var account = await gateway.CreateAccountAsync();
        var (_, other) = await gateway.CreateKeyAsync(account.Id, KeyScopes.Read);
        var limited = await SendUntilLimitedAsync(gateway.Client(account.Key), 20);
        Assert.Equal(429, limited[^1].Status);

        var answer = await gateway.Client(other).GetWireAsync(List);

        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task The_bucket_refills_after_the_Retry_After_delay()
    {
        var account = await gateway.CreateAccountAsync();
        var client = gateway.Client(account.Key);
        var limited = (await SendUntilLimitedAsync(client, 20))[^1];
        Assert.Equal(429, limited.Status);

        await Task.Delay(TimeSpan.FromSeconds(int.Parse(limited.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture) + 0.2),
            TestContext.Current.CancellationToken);

        Assert.Equal(200, (await client.GetWireAsync(List)).Status);
    }

    [Fact]
    public async Task Unauthenticated_answers_carry_no_rate_headers_and_use_no_tokens()
    {
        var unauthenticated = await gateway.Client("slp_sk_not-a-key").GetWireAsync(List);
        var health = await gateway.Client().GetWireAsync("/healthz");

        Assert.Equal(401, unauthenticated.Status);
        Assert.Null(unauthenticated.Header(KeyRateLimiter.PolicyHeader));
        Assert.Null(unauthenticated.Header(KeyRateLimiter.StateHeader));
        Assert.Null(health.Header(KeyRateLimiter.StateHeader));
    }

    [Fact]
    public async Task A_key_without_the_scope_is_counted_and_told_where_it_stands()
    {
        var account = await gateway.CreateAccountAsync(KeyScopes.Read);
        var serial = await gateway.AddBoxAsync(account.Id);

        var forbidden = await gateway.Client(account.Key).MakeCallAsync(serial);

        Assert.Equal(403, forbidden.Status);
        Assert.Equal("\"key\";r=4;t=1", forbidden.Header(KeyRateLimiter.StateHeader));
    }

    private static async Task<List<WireResponse>> SendUntilLimitedAsync(HttpClient client, int most)
    {
        var answers = new List<WireResponse>();
        for (var i = 0; i < most && answers.LastOrDefault()?.Status != 429; i++)
        {
            answers.Add(await client.GetWireAsync(List));
        }
        return answers;
    }
}
