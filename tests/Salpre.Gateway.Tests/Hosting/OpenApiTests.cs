using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Hosting;

/// <summary>The OpenAPI document describes what the gateway really does, and every route it has.</summary>
public sealed class OpenApiTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    private async Task<JsonNode> DocumentAsync()
    {
        var response = await gateway.Client().GetWireAsync("/openapi/v1.json");
        Assert.Equal(200, response.Status);
        return response.Json;
    }

    [Fact]
    public async Task Names_operations_stably_and_secures_them_with_the_header_key()
    {
        var document = await DocumentAsync();
        var paths = document["paths"]!;

        Assert.Equal("ListCalls", paths["/api/gateway/v1/call/list"]!["get"]!["operationId"]!.GetValue<string>());
        Assert.Equal("GetCall", paths["/api/gateway/v1/call/{id}"]!["get"]!["operationId"]!.GetValue<string>());
        Assert.Equal("MakeCall", paths["/api/gateway/v1/call/make-call"]!["post"]!["operationId"]!.GetValue<string>());
        Assert.Equal("ReportCallEvent", paths["/api/gateway/v1/call/{id}/events"]!["post"]!["operationId"]!.GetValue<string>());
        Assert.Equal("GetCallLogs", paths["/api/gateway/v1/call/{id}/logs"]!["get"]!["operationId"]!.GetValue<string>());
        Assert.Equal("ListDevices", paths["/api/gateway/v1/salprebox/device-list"]!["get"]!["operationId"]!.GetValue<string>());
        var stats = paths["/api/gateway/v1/call/stats"]!["get"]!;
        Assert.Equal("GetCallStats", stats["operationId"]!.GetValue<string>());
        Assert.Contains(stats["parameters"]!.AsArray(), parameter => parameter!["name"]!.GetValue<string>() == "group_by");
        Assert.Contains(stats["parameters"]!.AsArray(), parameter => parameter!["name"]!.GetValue<string>() == "started_after");
        Assert.DoesNotContain(stats["parameters"]!.AsArray(), parameter => parameter!["name"]!.GetValue<string>() is "per_page" or "cursor");
        Assert.NotNull(stats["responses"]!["200"]!["content"]!["application/json"]!["example"]!["data"]!["totals"]!["by_status"]);
        Assert.Equal("DeviceHeartbeat", paths["/api/gateway/v1/salprebox/heartbeat"]!["post"]!["operationId"]!.GetValue<string>());
        var makeCallBody = paths["/api/gateway/v1/call/make-call"]!["post"]!["requestBody"]!["content"]!.AsObject().Select(c => c.Key).ToHashSet();
        Assert.Equal(["multipart/form-data", "application/x-www-form-urlencoded", "application/json"], makeCallBody);
        foreach (var status in new[] { "200", "400", "401", "403", "409", "415", "429" })
        {
            Assert.NotNull(paths["/api/gateway/v1/call/make-call"]!["post"]!["responses"]![status]);
        }
        var scheme = document["components"]!["securitySchemes"]!["account-secret-key"]!;
        Assert.Equal("apiKey", scheme["type"]!.GetValue<string>());
        Assert.Equal("header", scheme["in"]!.GetValue<string>());
        Assert.Equal("account-secret-key", scheme["name"]!.GetValue<string>());
        Assert.NotNull(paths["/api/gateway/v1/call/list"]!["get"]!["security"]![0]!["account-secret-key"]);
        Assert.Null(paths["/healthz"]!["get"]!["security"]);
        foreach (var status in new[] { "200", "400", "401", "403", "429", "500", "503" })
        {
            Assert.NotNull(paths["/api/gateway/v1/call/list"]!["get"]!["responses"]![status]);
        }
        Assert.NotNull(paths["/api/gateway/v1/call/{id}"]!["get"]!["responses"]!["404"]);
    }

    [Fact]
    public async Task Gives_every_list_parameter_with_its_limits()
    {
        var parameters = (await DocumentAsync())["paths"]!["/api/gateway/v1/call/list"]!["get"]!["parameters"]!.AsArray()
            .Where(p => p!["in"]!.GetValue<string>() == "query")
            .ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!);

        Assert.Equal(
            ["per_page", "page", "cursor", "status", "agent_id", "direction", "to", "from", "started_after", "started_before",
             "min_duration", "max_duration", "order", "include_total", "tz"],
            parameters.Keys);
        Assert.All(parameters.Values, p => Assert.Equal("query", p["in"]!.GetValue<string>()));
        Assert.Equal(1, parameters["per_page"]["schema"]!["minimum"]!.GetValue<int>());
        Assert.Equal(100, parameters["per_page"]["schema"]!["maximum"]!.GetValue<int>());
        Assert.Equal(10, parameters["per_page"]["schema"]!["default"]!.GetValue<int>());
        Assert.Equal(1, parameters["page"]["schema"]!["minimum"]!.GetValue<int>());
    }

    [Fact]
    public async Task Describes_the_call_object_in_the_order_the_wire_has_it()
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(3, seed: 1));
        var document = await DocumentAsync();
        var listed = (await gateway.Client(account.Key).GetWireAsync("/api/gateway/v1/call/list")).Data[0]!;
        var schemas = document["components"]!["schemas"]!;

        Assert.Equal(WireResponse.FieldOrder(listed), WireResponse.FieldOrder(schemas["CallItem"]!["properties"]!));
        Assert.Equal(["status", "data", "meta"], WireResponse.FieldOrder(schemas["CallListResponse"]!["properties"]!));
        Assert.Equal(["status", "message", "code", "param", "request_id"], WireResponse.FieldOrder(schemas["ErrorResponse"]!["properties"]!));
        Assert.Equal(
            ["initiated", "ringing", "in-progress", "completed", "busy", "no-answer", "failed", "canceled"],
            schemas["CallStatus"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("date-time", schemas["CallItem"]!["properties"]!["started_at"]!["format"]!.GetValue<string>());
        Assert.Equal(
            ["call_id", "status", "from", "to", "agent_id", "direction", "started_at", "ended_at", "duration_sec", "audio_record_url", "transcript", "variables"],
            WireResponse.FieldOrder(schemas["CallDetails"]!["properties"]!));
        var example = document["paths"]!["/api/gateway/v1/call/list"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["example"]!;
        Assert.Equal("c123456", example["data"]![0]!["call_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Describes_the_events_feed_and_the_webhooks_with_their_scopes_and_shapes()
    {
        var document = await DocumentAsync();
        var paths = document["paths"]!;
        var schemas = document["components"]!["schemas"]!;
        string Operation(string path, string method) => paths[path]![method]!["operationId"]!.GetValue<string>();

        Assert.Equal("ListEvents", Operation("/api/gateway/v1/events", "get"));
        Assert.Equal(["per_page", "after", "cursor", "type", "order"], paths["/api/gateway/v1/events"]!["get"]!["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
        Assert.Equal("CreateWebhook", Operation("/api/gateway/v1/webhooks", "post"));
        Assert.Equal("ListWebhooks", Operation("/api/gateway/v1/webhooks", "get"));
        Assert.Equal("UpdateWebhook", Operation("/api/gateway/v1/webhooks/{id}", "patch"));
        Assert.Equal("DeleteWebhook", Operation("/api/gateway/v1/webhooks/{id}", "delete"));
        Assert.Equal("RotateWebhookSecret", Operation("/api/gateway/v1/webhooks/{id}/rotate-secret", "post"));
        Assert.Equal("TestWebhook", Operation("/api/gateway/v1/webhooks/{id}/test", "post"));
        Assert.Equal("ListWebhookDeliveries", Operation("/api/gateway/v1/webhooks/{id}/deliveries", "get"));
        Assert.Equal("RetryWebhookDelivery", Operation("/api/gateway/v1/webhooks/{id}/deliveries/{delivery_id}/retry", "post"));
        Assert.Equal("RecoverWebhook", Operation("/api/gateway/v1/webhooks/{id}/recover", "post"));
        Assert.Contains("write", paths["/api/gateway/v1/webhooks"]!["post"]!["responses"]!["403"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("read", paths["/api/gateway/v1/webhooks"]!["get"]!["responses"]!["403"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(["id", "type", "timestamp", "data"], schemas["EventItem"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal("object", schemas["RawJson"]!["type"]!.GetValue<string>());
        Assert.DoesNotContain("secret", schemas["WebhookItem"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task Leaves_no_route_undocumented()
    {
        var documented = (await DocumentAsync())["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        var routes = gateway.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Where(route => route != "/" && !route.StartsWith("/openapi/", StringComparison.Ordinal) && !route.StartsWith("/docs", StringComparison.Ordinal)
                            && !route.StartsWith("/dashboard", StringComparison.Ordinal) && !route.StartsWith("/_framework/", StringComparison.Ordinal))
            .ToHashSet();

        Assert.NotEmpty(routes);
        Assert.Subset(documented, routes);
    }

    [Fact]
    public async Task Serves_a_reading_page_at_docs()
    {
        var page = await gateway.Client().GetWireAsync("/docs/");

        Assert.Equal(200, page.Status);
        Assert.Contains("<title>Salpre Gateway API</title>", page.Body, StringComparison.Ordinal);
        Assert.Contains("openapi/v1.json", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leads_a_browser_at_the_root_to_the_dashboard()
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.BaseAddress };
        using var response = await browser.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard", response.Headers.Location?.OriginalString);
    }
}
