using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Hosting;

/// <summary>Every failure, whoever produces it, answers in the contract's envelope and gives nothing away.</summary>
public sealed class ErrorEnvelopeTests(ErrorEnvelopeTests.Gateway gateway) : IClassFixture<ErrorEnvelopeTests.Gateway>
{
    public sealed class Gateway : GatewayFactory
    {
        public Gateway()
        {
            WithServices(services =>
            {
                Faults = Faults.Register(services);
                ExpectsFaults = true;
                services.AddTransient<IStartupFilter, ProbeEndpoints>();
            });
        }

        public Faults Faults { get; private set; } = null!;
    }

    [Theory]
    [InlineData("GET", "/nothing/here", 404, "Not found", "not_found")]
    [InlineData("GET", "/api/gateway/v1/call", 404, "Not found", "not_found")]
    [InlineData("POST", "/api/gateway/v1/call/list", 405, "Method not allowed", "not_found")]
    [InlineData("PATCH", "/api/gateway/v1/call/c1", 405, "Method not allowed", "not_found")]
    [InlineData("PUT", "/healthz", 405, "Method not allowed", "not_found")]
    [InlineData("GET", "/probe/status/415", 415, "Unsupported media type", "invalid_parameter")]
    [InlineData("GET", "/probe/status/400", 400, "Bad request", "invalid_parameter")]
    public async Task Framework_failures_answer_in_the_envelope(string method, string path, int status, string message, string code)
    {
        var response = await gateway.Client().SendWireAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, response.Status);
        Assert.StartsWith($$"""{"status":"error","message":"{{message}}","code":"{{code}}","request_id":""", response.Body);
        Assert.Equal("application/json; charset=utf-8", response.Header("Content-Type"));
    }

    [Fact]
    public async Task A_body_over_the_limit_answers_413_in_the_envelope()
    {
        using var content = new ByteArrayContent(new byte[2 * 1024 * 1024]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        // Expect: 100-continue lets the gateway refuse before the body is sent: a client still writing 2 MB to a
        // server that answered and closed would see a broken pipe instead of the answer.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/probe/body") { Content = content };
        request.Headers.ExpectContinue = true;
        var response = await gateway.Client().SendWireAsync(request);

        Assert.Equal(413, response.Status);
        Assert.StartsWith("""{"status":"error","message":"Request body too large","code":"invalid_parameter",""", response.Body);
    }

    [Fact]
    public async Task An_unexpected_fault_answers_500_without_a_trace_of_it()
    {
        var account = await gateway.CreateAccountAsync();
        gateway.Faults.Next = Faults.Internal();

        var response = await gateway.Client(account.Key).GetWireAsync("/api/gateway/v1/call/list");

        Assert.Equal(500, response.Status);
        Assert.StartsWith("""{"status":"error","message":"Internal server error","code":"internal","request_id":""", response.Body);
        foreach (var leak in new[] { "SELECT", "secret", "/var/lib", "Exception", " at ", "salpre.db" })
        {
            Assert.DoesNotContain(leak, response.Body, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Contains(gateway.Logs.Lines, line => line.Contains(response.Json["request_id"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unavailable_database_answers_503_with_retry_after()
    {
        var account = await gateway.CreateAccountAsync();
        gateway.Faults.Next = Faults.Busy();

        var list = await gateway.Client(account.Key).GetWireAsync("/api/gateway/v1/call/list");
        var details = await gateway.Client(account.Key).GetWireAsync("/api/gateway/v1/call/c1");
        var ready = await gateway.Client().GetWireAsync("/readyz");
        gateway.Faults.Next = null;
        var readyAgain = await gateway.Client().GetWireAsync("/readyz");

        Assert.Equal(503, list.Status);
        Assert.StartsWith("""{"status":"error","message":"Service unavailable. Please retry shortly","code":"unavailable",""", list.Body);
        Assert.Equal("1", list.Header("Retry-After"));
        Assert.Equal(503, details.Status);
        Assert.Equal(503, ready.Status);
        Assert.Equal(200, readyAgain.Status);
        Assert.Equal("""{"status":"success","data":{"state":"ready"}}""", readyAgain.Body);
    }

    [Fact]
    public async Task Liveness_answers_without_touching_storage()
    {
        gateway.Faults.Next = Faults.Busy();
        var response = await gateway.Client().GetWireAsync("/healthz");
        gateway.Faults.Next = null;

        Assert.Equal(200, response.Status);
        Assert.Equal("""{"status":"success","data":{"state":"healthy"}}""", response.Body);
    }
}
