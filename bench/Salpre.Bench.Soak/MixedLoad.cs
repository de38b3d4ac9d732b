using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Salpre.Bench.Soak;

/// <summary>
/// What a busy account does all day, at a steady pace: dashboards polling and paging the list (cached and read
/// afresh) and counting calls, opening calls and their logs, boxes placing calls and reporting them through to the
/// end, heartbeats.
/// Every answer but a 2xx or 304 is an error; latencies are collected per sampling interval.
/// </summary>
public sealed class MixedLoad(Uri gateway, string key, string serial, double requestsPerSecond, int workers)
{
    private readonly object _gate = new();
    private List<double> _latencies = [];
    private readonly List<string> _cursors = [];
    private readonly List<string> _calls = [];
    private long _errors;
    private long _requests;

    public long Errors => Interlocked.Read(ref _errors);
    public long Requests => Interlocked.Read(ref _requests);
    public List<string> FirstErrors { get; } = [];

    /// <summary>The latencies (ms) since the last call, sorted.</summary>
    public double[] TakeLatencies()
    {
        List<double> taken;
        lock (_gate)
        {
            (taken, _latencies) = (_latencies, []);
        }
        taken.Sort();
        return [.. taken];
    }

    public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(() => WorkAsync(worker, stop), CancellationToken.None)));

    private async Task WorkAsync(int worker, CancellationToken stop)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4 }) { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("account-secret-key", key);
        var random = new Random(worker);
        var interval = TimeSpan.FromSeconds(workers / requestsPerSecond);
        var next = Stopwatch.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await OneAsync(http, random);
            }
            catch (Exception exception) when (!stop.IsCancellationRequested)
            {
                Error($"{exception.GetType().Name}: {exception.Message}");
            }
            next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            else
            {
                next = Stopwatch.GetTimestamp(); // behind: carry on at once, without a burst to catch up
            }
        }
    }

    private Task OneAsync(HttpClient http, Random random) => random.Next(100) switch
    {
        < 15 => GetAsync(http, "api/gateway/v1/call/list?per_page=10", fresh: false, learn: true),
        < 25 => GetAsync(http, $"api/gateway/v1/call/list?per_page=50&status=completed&started_after=2025-01-01", fresh: true, learn: true),
        < 38 => Pick(_cursors, random) is { } cursor
            ? GetAsync(http, $"api/gateway/v1/call/list?cursor={Uri.EscapeDataString(cursor)}", fresh: true, learn: true)
            : GetAsync(http, "api/gateway/v1/call/list?per_page=100", fresh: true, learn: true),
        < 58 => GetAsync(http, $"api/gateway/v1/call/{Pick(_calls, random) ?? "c1"}", fresh: false, learn: false),
        < 68 => GetAsync(http, $"api/gateway/v1/call/{Pick(_calls, random) ?? "c1"}/logs", fresh: false, learn: false),
        < 70 => GetAsync(http, "api/gateway/v1/salprebox/device-list", fresh: false, learn: false),
        < 73 => GetAsync(http, random.Next(2) == 0 ? "api/gateway/v1/call/stats?group_by=day,status&tz=Europe/Istanbul" : "api/gateway/v1/call/stats?group_by=agent_id", fresh: true, learn: false),
        < 83 => PostAsync(http, "api/gateway/v1/salprebox/heartbeat", $$"""{"serial_no":"{{serial}}","battery_level":{{random.Next(20, 100)}},"firmware_version":"2.4.1"}"""),
        _ => PlaceCallAsync(http, random),
    };

    /// <summary>A make-call with an idempotency key, then the box's reports through to the end, with a transcript.</summary>
    private async Task PlaceCallAsync(HttpClient http, Random random)
    {
        using var make = new HttpRequestMessage(HttpMethod.Post, "api/gateway/v1/call/make-call")
        {
            Content = new StringContent($$"""{"from":"salprebox:{{serial}}","to":"+90532{{random.Next(1000000, 9999999)}}","agent_id":{{random.Next(1, 20)}}}""", Encoding.UTF8, "application/json"),
        };
        make.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        var answer = await SendAsync(http, make);
        if (answer is null) return;
        using var made = JsonDocument.Parse(answer);
        var callId = made.RootElement.GetProperty("data").GetProperty("call_id").GetString()!;
        lock (_gate) Remember(_calls, callId);
        foreach (var report in new[]
                 {
                     """{"status":"ringing"}""", """{"status":"in-progress"}""",
                     $$$"""{"status":"completed","transcript":"Agent: Merhaba, {{{random.Next()}}}.\nCustomer: Selam.","variables":{"score":{{{random.Next(1, 6)}}}}}""",
                 })
        {
            await PostAsync(http, $"api/gateway/v1/call/{callId}/events", report);
        }
    }

    private async Task GetAsync(HttpClient http, string path, bool fresh, bool learn)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (fresh) request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        var body = await SendAsync(http, request);
        if (body is null || !learn) return;
        using var page = JsonDocument.Parse(body);
        lock (_gate)
        {
            if (page.RootElement.GetProperty("meta").TryGetProperty("next_cursor", out var cursor) && cursor.GetString() is { } next) Remember(_cursors, next);
            foreach (var call in page.RootElement.GetProperty("data").EnumerateArray().Take(3)) Remember(_calls, call.GetProperty("call_id").GetString()!);
        }
    }

    private Task PostAsync(HttpClient http, string path, string json) =>
        SendAsync(http, new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    /// <summary>Sends and times a request; the body of a success, or null after counting an error.</summary>
    private async Task<string?> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Interlocked.Increment(ref _requests);
            lock (_gate) _latencies.Add(elapsed);
            if (response.IsSuccessStatusCode || (int)response.StatusCode == 304) return body;
            Error($"{(int)response.StatusCode} for {request.Method} {request.RequestUri}: {body[..Math.Min(body.Length, 200)]}");
            return null;
        }
    }

    private void Error(string what)
    {
        Interlocked.Increment(ref _errors);
        lock (_gate)
        {
            if (FirstErrors.Count < 10) FirstErrors.Add(what);
        }
    }

    // Bounded, so that the load's own memory does not grow with the run.
    private static void Remember(List<string> items, string item)
    {
        if (items.Count >= 1000) items.RemoveAt(0);
        items.Add(item);
    }

    private string? Pick(List<string> items, Random random)
    {
        lock (_gate) return items.Count == 0 ? null : items[random.Next(items.Count)];
    }
}
