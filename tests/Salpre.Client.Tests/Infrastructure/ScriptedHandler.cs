using System.Net;
using System.Text;

namespace Salpre.Client.Tests.Infrastructure;

/// <summary>
/// Fault injection in front of the network: answers each attempt from a script (a status with headers and body, or
/// a thrown connection fault), recording what was sent and when by the test clock. Past the script, attempts go
/// to the inner handler (the real gateway) or get a 200 with <see cref="FallbackBody"/>.
/// </summary>
public sealed class ScriptedHandler(TimeProvider clock, params Func<HttpRequestMessage, HttpResponseMessage>[] script) : DelegatingHandler
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new(script);

    public List<(HttpRequestMessage Request, DateTimeOffset At)> Attempts { get; } = [];

    /// <summary>
    /// A client over this handler on its clock, with attempts that never time out however far the clock moves (so
    /// only the retries' own waits are measured).
    /// </summary>
    public SalpreClient CreateClient(SalpreRetryOptions retry) =>
        new(new HttpClient(this), new SalpreClientOptions
        {
            ApiKey = "slp_sk_test",
            BaseAddress = new Uri("http://127.0.0.1:9/"),
            Timeout = TimeSpan.FromHours(1),
            TimeProvider = clock,
            Retry = retry,
        });

    public string FallbackBody { get; init; } = """{"status":"success","data":[],"meta":{"per_page":10,"page":1,"has_next":false,"next_cursor":null}}""";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Attempts)
        {
            Attempts.Add((request, clock.GetUtcNow()));
        }
        if (_script.TryDequeue(out var next))
        {
            return Task.FromResult(next(request));
        }
        return InnerHandler is null ? Task.FromResult(Answer(HttpStatusCode.OK, FallbackBody)) : base.SendAsync(request, cancellationToken);
    }

    public static HttpResponseMessage Answer(HttpStatusCode status, string body, string contentType = "application/json", TimeSpan? retryAfter = null, string? requestId = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(delay);
        }
        if (requestId is not null)
        {
            response.Headers.Add("X-Request-Id", requestId);
        }
        return response;
    }

    public static Func<HttpRequestMessage, HttpResponseMessage> Status(HttpStatusCode status, TimeSpan? retryAfter = null) =>
        _ => Answer(status, $$"""{"status":"error","message":"status {{(int)status}}","code":"x","request_id":"r-{{(int)status}}"}""", retryAfter: retryAfter);

    public static Func<HttpRequestMessage, HttpResponseMessage> ConnectionReset() =>
        _ => throw new HttpRequestException("Connection reset by peer", new IOException("reset"), null);
}

/// <summary>Moves a fake clock forward until a task ends, so retry delays pass without real sleeping.</summary>
public static class ClockDriver
{
    public static async Task<T> DriveAsync<T>(this Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, Task<T> task, TimeSpan? step = null)
    {
        var by = step ?? TimeSpan.FromMilliseconds(50);
        for (var i = 0; !task.IsCompleted; i++)
        {
            if (i > 200_000)
            {
                throw new TimeoutException("The task did not end.");
            }
            clock.Advance(by);
            // A real pause, not a yield: what the clock woke must get a thread before the clock moves on.
            await Task.Delay(1);
        }
        return await task;
    }

    public static async Task DriveAsync(this Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, Task task, TimeSpan? step = null) =>
        await clock.DriveAsync(Wrap(task), step);

    private static async Task<bool> Wrap(Task task)
    {
        await task;
        return true;
    }
}
