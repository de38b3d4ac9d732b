using Salpre.Gateway.Admin;
using Salpre.Gateway.Calls;
using Salpre.Gateway.Dashboard;
using Salpre.Gateway.Demo;
using Salpre.Gateway.Devices;
using Salpre.Gateway.Edge;
using Salpre.Gateway.Events;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Telemetry;
using Salpre.Gateway.Webhooks;

// Admin commands (accounts, keys, import, migrate) do their work and exit; no command serves HTTP.
if (AdminCommands.Handles(args))
{
    return await AdminCommands.RunAsync(args);
}

var demo = args.Contains(DemoData.Flag);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = [.. args.Where(arg => arg != DemoData.Flag)],
    // appsettings.json sits beside the executable, wherever it is started from.
    ContentRootPath = AppContext.BaseDirectory,
});

// Console logs, systemd's notifications when it runs the service, storage, keys and their rate limits, HTTP
// conventions, proxies and browsers in front, metrics and traces, calls, devices, events and webhooks, the API
// description and the dashboard
builder.AddGatewayLogging(demo);
builder.Services.AddSystemd();
builder.AddGatewayStorage();
builder.AddGatewayKeys();
builder.AddGatewayRateLimits();
builder.AddGatewayHttp();
builder.AddGatewayEdge();
builder.AddGatewayTelemetry();
builder.AddGatewayCalls();
builder.AddGatewayDevices();
builder.AddGatewayEvents();
builder.AddGatewayWebhooks();
builder.Services.AddGatewayOpenApi();
builder.AddGatewayDashboard();

var app = builder.Build();

// The client's address and scheme from a trusted proxy, CORS; the metrics listener, when on, answers /metrics and
// nothing else; then, for the API: request ids, error envelopes, routing, key checks (authentication, rate limit,
// scope); for the dashboard: its headers, sessions and antiforgery
app.UseGatewayEdge();
app.MapGatewayMetrics();
app.UseGatewayPipeline();
app.UseGatewayDashboard();

// Endpoints
app.MapHealthEndpoints();
app.MapCalls();
app.MapDevices();
app.MapEvents();
app.MapWebhooks();
app.MapGatewayOpenApi();
app.MapDashboard();

// Claim and migrate the store, seed the demo if asked, serve until stopped
return await app.ServeAsync(demo);
