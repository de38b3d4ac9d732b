using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Salpre.Gateway.RateLimits;
using Salpre.Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Salpre.Gateway.Tests.RateLimits;

/// <summary>Buckets in a real redis-server: shared by nodes, and what happens while Redis is away.</summary>
public sealed class SharedRateLimitTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string List = "/api/gateway/v1/call/list";

    [Fact]
    public async Task Two_nodes_on_one_Redis_allow_together_what_one_allows()
    {
        const int perSecond = 5, burst = 10;
        var (shared, sharedSeconds) = await HammerAsync(await NodesAsync(redis.Configuration, perSecond, burst));
        var (separate, _) = await HammerAsync(await NodesAsync(null, perSecond, burst));

        // Redis refills once a second: over T seconds one bucket allows its burst plus a refill per second started.
        Assert.InRange(shared, burst, burst + perSecond * (Math.Ceiling(sharedSeconds) + 1));
        // The same load on two nodes that count alone: each allows its own burst.
        Assert.True(separate >= 2 * burst, $"two separate nodes allowed {separate}");
        Assert.True(shared < separate, $"shared {shared}, separate {separate}");
    }

    [Fact]
    public async Task A_gateway_on_Redis_answers_with_the_same_headers_and_429()
    {
        await using var gateway = new GatewayFactory()
            .With("RateLimiting:Redis", redis.Configuration).With("RateLimiting:RequestsPerSecond", "1").With("RateLimiting:Burst", "3");
        await gateway.InitializeAsync();
        var account = await gateway.CreateAccountAsync();
        var client = gateway.Client(account.Key);

        var first = await client.GetWireAsync(List);
        WireResponse last = first;
        for (var i = 0; i < 10 && last.Status != 429; i++)
        {
            last = await client.GetWireAsync(List);
        }

        Assert.Equal(200, first.Status);
        Assert.Equal("\"key\";q=3;w=3", first.Header(KeyRateLimiter.PolicyHeader));
        Assert.Equal("\"key\";r=2;t=1", first.Header(KeyRateLimiter.StateHeader));
        Assert.Equal(429, last.Status);
        Assert.Equal("1", last.Header("Retry-After"));
        Assert.Equal("rate_limited", last.Json["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("Open", 200)]
    [InlineData("Closed", 503)]
    public async Task Without_Redis_requests_fail_as_configured_and_never_hang(string mode, int status)
    {
        await using var gateway = new GatewayFactory()
            .With("RateLimiting:Redis", $"127.0.0.1:{UnusedPort()}").With("RateLimiting:RedisFailure", mode)
            .With("RateLimiting:RequestsPerSecond", "1").With("RateLimiting:Burst", "3");
        await gateway.InitializeAsync();
        var account = await gateway.CreateAccountAsync();
        var client = gateway.Client(account.Key);

        var clock = Stopwatch.StartNew();
        var answer = await client.GetWireAsync(List);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Equal(status, answer.Status);
        if (status == 503)
        {
            Assert.Equal("1", answer.Header("Retry-After"));
            Assert.Equal("error", answer.Json["status"]!.GetValue<string>());
        }
        else
        {
            // Open: the node's own bucket still counts, so the limit holds per node.
            var answers = new List<int>();
            for (var i = 0; i < 6; i++)
            {
                answers.Add((await client.GetWireAsync(List)).Status);
            }
            Assert.Contains(429, answers);
        }
    }

    [Fact]
    public async Task An_outage_of_Redis_fails_open_and_sharing_resumes_when_it_returns()
    {
        await using var gateway = new GatewayFactory().With("RateLimiting:Redis", redis.Configuration);
        await gateway.InitializeAsync();
        var account = await gateway.CreateAccountAsync();
        var client = gateway.Client(account.Key);
        Assert.Equal(200, (await client.GetWireAsync(List)).Status);
        await AssertBucketInRedisAsync(account.KeyId, present: true);

        await redis.StopAsync();
        var during = Stopwatch.StartNew();
        var answer = await client.GetWireAsync(List);
        Assert.Equal(200, answer.Status);
        Assert.True(during.Elapsed < TimeSpan.FromSeconds(3), $"took {during.Elapsed}");

        await redis.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await BucketInRedisAsync(account.KeyId) && DateTime.UtcNow < deadline)
        {
            Assert.Equal(200, (await client.GetWireAsync(List)).Status);
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        await AssertBucketInRedisAsync(account.KeyId, present: true);
    }

    /// <summary>Two nodes' buckets of one name: in one Redis when a configuration is given, else each its own.</summary>
    private static async Task<TokenBucket[]> NodesAsync(string? configuration, int perSecond, int burst)
    {
        var name = $"test-{Guid.NewGuid():N}";
        var options = Options.Create(new RateLimitOptions { Redis = configuration, RedisTimeout = TimeSpan.FromSeconds(2) });
        var nodes = new List<TokenBucket>();
        for (var i = 0; i < 2; i++)
        {
            var buckets = new TokenBuckets(options, NullLogger<TokenBuckets>.Instance);
            await buckets.ConnectAsync();
            nodes.Add(buckets.Create(name, perSecond, burst));
        }
        return [.. nodes];
    }

    /// <summary>Both nodes take tokens as fast as they can for two seconds; returns how many were allowed.</summary>
    private static async Task<(int Allowed, double Seconds)> HammerAsync(TokenBucket[] nodes)
    {
        var allowed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(nodes.Select(node => Task.Run(async () =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(2))
            {
                if ((await node.TakeAsync(1, CancellationToken.None)).Allowed)
                {
                    Interlocked.Increment(ref allowed);
                }
                await Task.Delay(5);
            }
        })));
        return (allowed, clock.Elapsed.TotalSeconds);
    }

    private async Task<bool> BucketInRedisAsync(long keyId)
    {
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
            return connection.GetServer(redis.Configuration).Keys(pattern: $"*:key:{keyId}}}").Any();
        }
        catch (RedisConnectionException)
        {
            return false;
        }
    }

    private async Task AssertBucketInRedisAsync(long keyId, bool present) =>
        Assert.Equal(present, await BucketInRedisAsync(keyId));

    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
