using Salpre.Client.Tests.Infrastructure;

namespace Salpre.Client.Tests;

/// <summary>Retries that reach the real gateway: a lost answer and a real rate limit.</summary>
public sealed class RetryAgainstGatewayTests(RetryAgainstGatewayTests.Limited gateway) : IClassFixture<RetryAgainstGatewayTests.Limited>
{
    /// <summary>One new call a second per account, in bursts of one.</summary>
    public sealed class Limited : GatewayServer
    {
        public Limited()
        {
            With("MakeCall:CallsPerSecond", "1");
            With("MakeCall:Burst", "1");
        }
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Lets the gateway do the first request (a make-call, a delete), then loses its answer as a dropped connection would.</summary>
    private sealed class LoseFirstAnswer : DelegatingHandler
    {
        public int Attempts { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (++Attempts == 1)
            {
                response.Dispose();
                throw new HttpRequestException("The connection was reset after the request was sent.");
            }
            return response;
        }
    }

    [Fact]
    public async Task A_make_call_whose_answer_was_lost_is_retried_into_the_same_call()
    {
        var account = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);
        var handler = new LoseFirstAnswer { InnerHandler = new SocketsHttpHandler() };
        using var client = new SalpreClient(new HttpClient(handler), new SalpreClientOptions
        {
            ApiKey = account.Key,
            BaseAddress = gateway.BaseAddress,
            // A tiny real backoff: the fake clock is not used here because the attempts do real I/O.
            Retry = new SalpreRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
        });

        var made = await client.Calls.MakeAsync(new MakeCallRequest($"salprebox:{serial}", "+905321234567", 5), Cancel);
        var attempts = handler.Attempts;
        var page = await client.Calls.ListAsync(cancellationToken: Cancel);

        Assert.Equal(2, attempts);
        Assert.True(made.Replayed);
        Assert.Equal(made.CallId, Assert.Single(page.Items).CallId);
    }

    [Fact]
    public async Task A_delete_whose_answer_was_lost_is_retried_into_a_404_as_a_webhook_delete_is()
    {
        var account = await gateway.CreateAccountAsync();
        var stored = await gateway.SeedAsync(account.Id, 1);
        var handler = new LoseFirstAnswer { InnerHandler = new SocketsHttpHandler() };
        using var client = new SalpreClient(new HttpClient(handler), new SalpreClientOptions
        {
            ApiKey = account.Key,
            BaseAddress = gateway.BaseAddress,
            Retry = new SalpreRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
        });

        var lost = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.DeleteAsync(stored[0].CallId(), Cancel));
        var attempts = handler.Attempts;
        var page = await client.Calls.ListAsync(cancellationToken: Cancel);

        Assert.Equal(2, attempts);
        Assert.Equal((System.Net.HttpStatusCode.NotFound, "not_found"), (lost.StatusCode, lost.Code));
        Assert.Empty(page.Items);
    }

    [Fact]
    public async Task The_gateways_429_reaches_the_caller_with_its_code_and_Retry_After()
    {
        var account = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);
        using var client = gateway.Client(account.Key);
        var request = new MakeCallRequest($"salprebox:{serial}", "+905321234567", 5);

        await client.Calls.MakeAsync(request, Cancel);
        var limited = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.MakeAsync(request, Cancel));

        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("rate_limited", limited.Code);
        Assert.InRange(limited.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.NotNull(limited.RequestId);
    }
}
