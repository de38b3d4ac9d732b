// The framework's ceiling for the gateway's hot path: the same host, Kestrel and logging settings, answering a
// fixed body read from a file (a real captured call-list page), with no work at all behind it.
// Usage: dotnet Salpre.Bench.Ceiling.dll --body page.json --urls http://127.0.0.1:5090
var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

var path = builder.Configuration["body"] ?? throw new InvalidOperationException("Pass --body FILE: the JSON to answer with.");
var body = await File.ReadAllBytesAsync(path);

var app = builder.Build();
app.MapGet("/fixed", () => TypedResults.Bytes(body, "application/json; charset=utf-8"));
await app.RunAsync();
