using System.Net;
using Microsoft.Extensions.Time.Testing;
using Salpre.Client.Tests.Infrastructure;

namespace Salpre.Client.Tests;

/// <summary>
/// Retries against injected 429, 503 and connection faults, on a fake clock: the delays are measured on the clock,
/// and nothing sleeps for real.
/// </summary>
public sealed class RetryTests
{
    private static readonly Uri s_base = new("http://127.0.0.1:9/");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static SalpreClient Client(ScriptedHandler handler, int maxRetries = 3) =>
        handler.CreateClient(new SalpreRetryOptions { MaxRetries = maxRetries, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8) });

    private TimeSpan Gap(ScriptedHandler handler, int attempt) => handler.Attempts[attempt].At - handler.Attempts[attempt - 1].At;

    [Fact]
    public async Task A_429_is_retried_after_exactly_its_Retry_After()
    {
        var handler = new ScriptedHandler(_clock, ScriptedHandler.Status(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(7)));
        using var client = Client(handler);

        var page = await _clock.DriveAsync(client.Calls.ListAsync(cancellationToken: Cancel));

        Assert.Empty(page.Items);
        Assert.Equal(2, handler.Attempts.Count);
        Assert.InRange(Gap(handler, 1), TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7.2));
    }

    [Fact]
    public async Task A_503_with_a_Retry_After_date_waits_until_that_date()
    {
        var handler = new ScriptedHandler(_clock, _ =>
        {
            var response = ScriptedHandler.Answer(HttpStatusCode.ServiceUnavailable, """{"status":"error","message":"busy","code":"unavailable"}""");
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(_clock.GetUtcNow().AddSeconds(20));
            return response;
        });
        using var client = Client(handler);

        await _clock.DriveAsync(client.Calls.ListAsync(cancellationToken: Cancel));

        Assert.Equal(2, handler.Attempts.Count);
        Assert.InRange(Gap(handler, 1), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20.2));
    }

    [Fact]
    public async Task Connection_faults_back_off_exponentially_with_jitter_within_the_bounds()
    {
        var handler = new ScriptedHandler(_clock, ScriptedHandler.ConnectionReset(), ScriptedHandler.ConnectionReset(), ScriptedHandler.ConnectionReset());
        using var client = Client(handler);

        await _clock.DriveAsync(client.Calls.ListAsync(cancellationToken: Cancel));

        Assert.Equal(4, handler.Attempts.Count);
        // Base 1 s, capped at 8 s; jitter keeps each delay above zero and under the cap.
        for (var attempt = 1; attempt < 4; attempt++)
        {
            Assert.InRange(Gap(handler, attempt), TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(8.2));
        }
        Assert.True(Gap(handler, 1) + Gap(handler, 2) + Gap(handler, 3) > TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Retries_are_bounded_and_the_last_answer_is_thrown()
    {
        var handler = new ScriptedHandler(_clock, [.. Enumerable.Repeat(ScriptedHandler.Status(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(1)), 10)]);
        using var client = Client(handler, maxRetries: 2);

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => _clock.DriveAsync(client.Calls.ListAsync(cancellationToken: Cancel)));

        Assert.Equal(3, handler.Attempts.Count);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), error.RetryAfter);
    }

    [Fact]
    public async Task Connection_faults_past_the_last_retry_become_a_SalpreApiException()
    {
        var handler = new ScriptedHandler(_clock, [.. Enumerable.Repeat(ScriptedHandler.ConnectionReset(), 5)]);
        using var client = Client(handler, maxRetries: 1);

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => _clock.DriveAsync(client.Devices.ListAsync(Cancel)));

        Assert.Equal(2, handler.Attempts.Count);
        Assert.Null(error.StatusCode);
        Assert.Equal(SalpreApiException.ConnectionFailedCode, error.Code);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task An_attempt_without_an_answer_times_out_on_the_clock_and_is_retried()
    {
        var handler = new HangingHandler(_clock);
        using var client = new SalpreClient(new HttpClient(handler), new SalpreClientOptions
        {
            ApiKey = "slp_sk_test",
            BaseAddress = s_base,
            Timeout = TimeSpan.FromSeconds(5),
            TimeProvider = _clock,
            Retry = new SalpreRetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromSeconds(1) },
        });

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => _clock.DriveAsync(client.Calls.ListAsync(cancellationToken: Cancel)));

        Assert.Equal(SalpreApiException.TimeoutCode, error.Code);
        Assert.Equal(2, handler.Attempts.Count);
        Assert.All(handler.Ends, end => Assert.InRange(end, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5.2)));
    }

    /// <summary>Never answers; records how long each attempt waited (by the test clock) before it was given up.</summary>
    private sealed class HangingHandler(TimeProvider clock) : HttpMessageHandler
    {
        public List<DateTimeOffset> Attempts { get; } = [];
        public List<TimeSpan> Ends { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var started = clock.GetUtcNow();
            Attempts.Add(started);
            // Read the clock when the attempt is given up, not when its continuation gets a thread: a loaded machine
            // may run that continuation after the test clock has moved on.
            using var giveUp = cancellationToken.Register(() => Ends.Add(clock.GetUtcNow() - started));
            await Task.Delay(Timeout.InfiniteTimeSpan, clock, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Conflict)]
    public async Task Client_errors_are_not_retried(HttpStatusCode status)
    {
        var handler = new ScriptedHandler(_clock, ScriptedHandler.Status(status));
        using var client = Client(handler);

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => _clock.DriveAsync(client.Calls.GetAsync("c1", Cancel)));

        Assert.Single(handler.Attempts);
        Assert.Equal(status, error.StatusCode);
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_accepted_wait_fails_at_once()
    {
        var handler = new ScriptedHandler(_clock, ScriptedHandler.Status(HttpStatusCode.TooManyRequests, TimeSpan.FromMinutes(10)));
        using var client = Client(handler);

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => _clock.DriveAsync(client.Calls.ListAsync(cancellationToken: Cancel)));

        Assert.Single(handler.Attempts);
        Assert.Equal(TimeSpan.FromMinutes(10), error.RetryAfter);
    }

    [Fact]
    public async Task Nothing_is_retried_after_the_caller_cancels()
    {
        var handler = new ScriptedHandler(_clock, ScriptedHandler.Status(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30)));
        using var client = Client(handler);
        using var cancellation = new CancellationTokenSource();

        var call = client.Calls.ListAsync(cancellationToken: cancellation.Token);
        _clock.Advance(TimeSpan.FromSeconds(10));
        await cancellation.CancelAsync();
        _clock.Advance(TimeSpan.FromMinutes(5));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(handler.Attempts);
    }

    [Fact]
    public async Task A_make_call_is_retried_with_one_idempotency_key_and_the_next_call_gets_another()
    {
        var made = """{"status":"success","data":{"call_id":"c9","status":"initiated","agent_id":5,"from":"salprebox:B","to":"+905321234567"}}""";
        var handler = new ScriptedHandler(_clock, ScriptedHandler.ConnectionReset(), ScriptedHandler.Status(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(1)))
        {
            FallbackBody = made,
        };
        using var client = Client(handler);
        var request = new MakeCallRequest("salprebox:B", "+905321234567", 5);

        await _clock.DriveAsync(client.Calls.MakeAsync(request, Cancel));
        await _clock.DriveAsync(client.Calls.MakeAsync(request, Cancel));

        var keys = handler.Attempts.Select(attempt => attempt.Request.Headers.GetValues("Idempotency-Key").Single()).ToList();
        Assert.Equal(4, keys.Count);
        Assert.Single(keys.Take(3).Distinct());
        Assert.NotEqual(keys[0], keys[3]);
        Assert.Matches("^[A-Za-z0-9_:-]{1,255}$", keys[0]);
    }

    private const string WebhookBody = """{"status":"success","data":{"id":"wh_1","url":"https://a.example.com/","event_types":["call.busy"],"status":"enabled","max_in_flight":4,"created_at":"2026-11-28T00:00:00Z","updated_at":"2026-11-28T00:00:00Z","secret":"whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}""";

    private static Func<HttpRequestMessage, HttpResponseMessage> Refused() =>
        _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new IOException("refused"));

    [Fact]
    public async Task Requests_that_make_a_secret_are_not_retried_when_they_may_have_taken_effect()
    {
        // A second create would make a second endpoint; a second rotation would retire the secret the receiver still has.
        foreach (var fault in new[] { ScriptedHandler.Status(HttpStatusCode.ServiceUnavailable), ScriptedHandler.Status(HttpStatusCode.InternalServerError), ScriptedHandler.ConnectionReset() })
        {
            var create = new ScriptedHandler(_clock, fault) { FallbackBody = WebhookBody };
            var rotate = new ScriptedHandler(_clock, fault) { FallbackBody = WebhookBody };
            using var creating = Client(create);
            using var rotating = Client(rotate);

            await Assert.ThrowsAsync<SalpreApiException>(() => _clock.DriveAsync(creating.Webhooks.CreateAsync(new WebhookCreateRequest("https://a.example.com/"), Cancel)));
            await Assert.ThrowsAsync<SalpreApiException>(() => _clock.DriveAsync(rotating.Webhooks.RotateSecretAsync("wh_1", Cancel)));

            Assert.Single(create.Attempts);
            Assert.Single(rotate.Attempts);
        }
    }

    [Fact]
    public async Task Requests_that_make_a_secret_are_retried_when_they_surely_did_nothing()
    {
        var create = new ScriptedHandler(_clock, ScriptedHandler.Status(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(2)), Refused()) { FallbackBody = WebhookBody };
        using var client = Client(create);

        var created = await _clock.DriveAsync(client.Webhooks.CreateAsync(new WebhookCreateRequest("https://a.example.com/"), Cancel));

        Assert.Equal(3, create.Attempts.Count);
        Assert.Equal(("wh_1", HttpMethod.Post), (created.Id, create.Attempts[2].Request.Method));
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_webhook_requests_are_retried_as_any_other()
    {
        string? sent = null;
        var handler = new ScriptedHandler(_clock,
            request =>
            {
                sent = request.Content!.ReadAsStringAsync(Cancel).GetAwaiter().GetResult();
                return ScriptedHandler.Answer(HttpStatusCode.ServiceUnavailable, """{"status":"error","message":"busy"}""");
            },
            ScriptedHandler.ConnectionReset()) { FallbackBody = WebhookBody };
        using var client = Client(handler);

        var updated = await _clock.DriveAsync(client.Webhooks.UpdateAsync("wh_1", new WebhookUpdateRequest { Enabled = false }, Cancel));

        Assert.Equal(3, handler.Attempts.Count);
        Assert.Equal((HttpMethod.Patch, "/api/gateway/v1/webhooks/wh_1"), (handler.Attempts[2].Request.Method, handler.Attempts[2].Request.RequestUri!.AbsolutePath));
        Assert.Equal("""{"status":"disabled"}""", sent);
        Assert.Equal("wh_1", updated.Id);
    }
}
