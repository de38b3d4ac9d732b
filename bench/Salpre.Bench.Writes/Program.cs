// The write path under load: each worker places a call (make-call with an idempotency key, as a careful client
// does) and reports its lifecycle as a box would (ringing, in-progress, completed). Prints one line:
//   calls_per_second requests_per_second make_call_p50_ms make_call_p99_ms errors requests
// (each accepted request is one change of a call, so without errors "requests" is the number of call events made)
// Usage: dotnet Salpre.Bench.Writes.dll --url URL --write-key KEY --ingest-key KEY --serial SERIAL [--workers 16] [--seconds 10]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

string Arg(string name, string? fallback = null)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback ?? throw new ArgumentException($"{name} is required");
}

var url = new Uri(Arg("--url").TrimEnd('/') + "/");
var serial = Arg("--serial");
var workers = int.Parse(Arg("--workers", "16"), CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(double.Parse(Arg("--seconds", "10"), CultureInfo.InvariantCulture));

using var writer = Client(Arg("--write-key"));
using var box = Client(Arg("--ingest-key"));
var latencies = new List<double>[workers];
var calls = 0L;
var requests = 0L;
var errors = 0L;
var clock = Stopwatch.StartNew();

await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
{
    latencies[worker] = [];
    while (clock.Elapsed < duration)
    {
        var started = Stopwatch.GetTimestamp();
        using var make = new HttpRequestMessage(HttpMethod.Post, "api/gateway/v1/call/make-call")
        {
            Content = new StringContent($$"""{"from":"salprebox:{{serial}}","to":"+905321234567","agent_id":5}""", Encoding.UTF8, "application/json"),
        };
        make.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        using var made = await writer.SendAsync(make);
        latencies[worker].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Interlocked.Increment(ref requests);
        if (!made.IsSuccessStatusCode)
        {
            Interlocked.Increment(ref errors);
            continue;
        }
        using var body = JsonDocument.Parse(await made.Content.ReadAsStringAsync());
        var callId = body.RootElement.GetProperty("data").GetProperty("call_id").GetString();
        var ok = true;
        foreach (var status in new[] { "ringing", "in-progress", "completed" })
        {
            using var reported = await box.PostAsync($"api/gateway/v1/call/{callId}/events",
                new StringContent($$"""{"status":"{{status}}"}""", Encoding.UTF8, "application/json"));
            Interlocked.Increment(ref requests);
            ok &= reported.IsSuccessStatusCode;
        }
        if (ok)
        {
            Interlocked.Increment(ref calls);
        }
        else
        {
            Interlocked.Increment(ref errors);
        }
    }
}));

var seconds = clock.Elapsed.TotalSeconds;
var all = latencies.SelectMany(l => l).Order().ToArray();
double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{calls / seconds:0} {requests / seconds:0} {Percentile(0.5):0.00} {Percentile(0.99):0.00} {errors} {requests}"));
return errors == 0 ? 0 : 1;

HttpClient Client(string key)
{
    var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = url };
    client.DefaultRequestHeaders.Add("account-secret-key", key);
    client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    return client;
}
