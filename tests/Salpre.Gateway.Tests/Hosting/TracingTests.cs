using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Hosting;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, requests (and, on PostgreSQL, their statements) go out as OTLP spans,
/// without the query string or the key header: an OTLP/HTTP receiver on loopback reads what the gateway sends.
/// </summary>
public sealed class TracingTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private WebApplication _receiver = null!;
    private GatewayFactory _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _receiver = builder.Build();
        _receiver.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            _received.Enqueue((context.Request.Path.Value!, body.ToArray()));
            return Results.Ok();
        });
        await _receiver.StartAsync(TestContext.Current.CancellationToken);

        _gateway = new GatewayFactory()
            .With("OTEL_EXPORTER_OTLP_ENDPOINT", _receiver.Urls.Single())
            .With("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .With("OTEL_BSP_SCHEDULE_DELAY", "100");
        await _gateway.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Requests_are_exported_as_spans_without_the_query_or_the_key()
    {
        var account = await _gateway.CreateAccountAsync();
        var calls = await _gateway.SeedAsync(account.Id, CallData.Generate(3, seed: 5));
        var client = _gateway.Client(account.Key);

        Assert.Equal(200, (await client.GetWireAsync("/api/gateway/v1/call/list?to=%2B905321234567&per_page=3")).Status);
        Assert.Equal(200, (await client.GetWireAsync($"/api/gateway/v1/call/c{calls[0].Call.CallNum}/logs")).Status);
        Assert.Equal(404, (await client.GetWireAsync("/api/gateway/v1/call/+905321234567")).Status);

        var traces = await ReceivedAsync("/v1/traces", "/api/gateway/v1/call/{id}/logs");
        Assert.Contains("/api/gateway/v1/call/{id}/logs", traces, StringComparison.Ordinal);
        Assert.Contains("/api/gateway/v1/call/list", traces, StringComparison.Ordinal);
        if (GatewayFactory.OnPostgres)
        {
            // Npgsql's spans: the statements, with their parameters' names only.
            Assert.Contains("Npgsql", traces, StringComparison.Ordinal);
            Assert.Contains("@account", traces, StringComparison.Ordinal);
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(account.Key));
        // Spans of every test in this process reach the receiver: no path as typed may be among them.
        var typed = $"/api/gateway/v1/call/c{calls[0].Call.CallNum}/logs";
        foreach (var secret in new[] { account.Key, Convert.ToHexString(hash), Convert.ToHexStringLower(hash), Convert.ToBase64String(hash), "905321234567", "per_page", "account-secret-key", typed })
        {
            Assert.DoesNotContain(secret, traces, StringComparison.Ordinal);
        }
    }

    /// <summary>Everything received on <paramref name="path"/>, as Latin-1, once it contains <paramref name="expected"/>.</summary>
    private async Task<string> ReceivedAsync(string path, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var text = string.Concat(_received.Where(r => r.Path == path).Select(r => Encoding.Latin1.GetString(r.Body)));
            if (text.Contains(expected, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return text;
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
