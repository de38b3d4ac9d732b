// A webhook receiver for the bench, as a customer's backend would run one: each endpoint name verifies the gateway's
// signature with its secret (Salpre.Client's WebhookSignature) and answers 204, remembering when each delivery came
// and the event's own timestamp (taken when the gateway accepted the change).
//   PUT    /secrets/{name}   the endpoint's secret (the body), given once the gateway has made it
//   POST   /hook/{name}      a delivery
//   GET    /stats/{name}     "deliveries distinct_events bad_signatures p50_ms p99_ms first_unix_ms last_unix_ms", the
//                            latencies from each event's timestamp to its first arrival
//   DELETE /stats            forgets every delivery
// Usage: dotnet Salpre.Bench.Receiver.dll --urls http://127.0.0.1:5190
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Salpre.Client;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
var app = builder.Build();

var secrets = new ConcurrentDictionary<string, string>();
var endpoints = new ConcurrentDictionary<string, Endpoint>();
var time = TimeProvider.System;

app.MapPut("/secrets/{name}", async (string name, HttpRequest request) =>
{
    secrets[name] = (await new StreamReader(request.Body).ReadToEndAsync()).Trim();
    return TypedResults.NoContent();
});

app.MapPost("/hook/{name}", async (string name, HttpRequest request) =>
{
    var arrived = time.GetUtcNow().ToUnixTimeMilliseconds();
    using var buffer = new MemoryStream();
    await request.Body.CopyToAsync(buffer);
    var body = buffer.ToArray();
    var endpoint = endpoints.GetOrAdd(name, _ => new Endpoint());
    if (!secrets.TryGetValue(name, out var secret) || !WebhookSignature.Verify([secret], WebhookHeaders.From(request.Headers), body))
    {
        Interlocked.Increment(ref endpoint.BadSignatures);
        return Results.StatusCode(401);
    }
    var sent = JsonDocument.Parse(body).RootElement.GetProperty("timestamp").GetDateTimeOffset().ToUnixTimeMilliseconds();
    endpoint.Arrivals.Enqueue(new Arrival(request.Headers["webhook-id"].ToString(), sent, arrived));
    return Results.NoContent();
});

app.MapGet("/stats/{name}", (string name) =>
{
    var endpoint = endpoints.GetOrAdd(name, _ => new Endpoint());
    var arrivals = endpoint.Arrivals.ToArray();
    var firsts = arrivals.GroupBy(a => a.Id).Select(g => g.MinBy(a => a.Arrived)!).ToArray();
    var latencies = firsts.Select(a => (double)(a.Arrived - a.Sent)).Order().ToArray();
    double Percentile(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))];
    return string.Create(CultureInfo.InvariantCulture,
        $"{arrivals.Length} {firsts.Length} {endpoint.BadSignatures} {Percentile(0.5):0} {Percentile(0.99):0} " +
        $"{(arrivals.Length == 0 ? 0 : arrivals.Min(a => a.Arrived))} {(arrivals.Length == 0 ? 0 : arrivals.Max(a => a.Arrived))}");
});

app.MapDelete("/stats", () =>
{
    endpoints.Clear();
    return TypedResults.NoContent();
});

await app.RunAsync();

internal sealed record Arrival(string Id, long Sent, long Arrived);

internal sealed class Endpoint
{
    public readonly ConcurrentQueue<Arrival> Arrivals = new();
    public int BadSignatures;
}
