using System.Net;
using Salpre.Client.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Client.Tests;

/// <summary>What <see cref="SalpreApiException"/> carries for every error code of the contract, and for bodies that are not the envelope.</summary>
public sealed class ExceptionTests(GatewayServer gateway) : IClassFixture<GatewayServer>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unauthorized_carries_the_documents_message_and_the_request_id()
    {
        using var client = gateway.Client("slp_sk_not-a-real-key");

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.ListAsync(cancellationToken: Cancel));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("Unauthorized. Missing or invalid account-secret-key", error.Message);
        Assert.Equal("unauthorized", error.Code);
        Assert.Null(error.Param);
        Assert.Matches("^[A-Za-z0-9-]{8,}$", error.RequestId!);
    }

    [Fact]
    public async Task Forbidden_when_the_key_lacks_the_scope()
    {
        var account = await gateway.CreateAccountAsync(KeyScopes.Ingest);
        using var client = gateway.Client(account.Key);

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.ListAsync(cancellationToken: Cancel));

        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (error.StatusCode!.Value, error.Code));
        Assert.NotNull(error.RequestId);
    }

    [Theory]
    [InlineData(0, "per_page")]
    [InlineData(101, "per_page")]
    public async Task Invalid_parameter_names_the_parameter(int perPage, string param)
    {
        var account = await gateway.CreateAccountAsync();
        using var client = gateway.Client(account.Key);

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.ListAsync(new CallListOptions { PerPage = perPage }, Cancel));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_parameter", param), (error.StatusCode!.Value, error.Code, error.Param));
        Assert.Equal($"Invalid {param} value", error.Message);
    }

    [Fact]
    public async Task An_invalid_cursor_is_an_invalid_parameter()
    {
        var account = await gateway.CreateAccountAsync();
        using var client = gateway.Client(account.Key);

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.ListAsync(new CallListOptions { Cursor = "AQAKAgAAAAAAAAB" }, Cancel));

        Assert.Equal(("Invalid cursor value", "cursor"), (error.Message, error.Param));
    }

    [Fact]
    public async Task Not_found_for_an_unknown_call_in_details_and_logs()
    {
        var account = await gateway.CreateAccountAsync();
        using var client = gateway.Client(account.Key);

        var details = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.GetAsync("c999999", Cancel));
        var logs = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.GetLogsAsync("999999", Cancel));
        var devices = await Assert.ThrowsAsync<SalpreApiException>(() => client.Devices.ListAsync(Cancel));

        Assert.Equal((HttpStatusCode.NotFound, "not_found", "Call not found. Please check the call ID."), (details.StatusCode!.Value, details.Code, details.Message));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (logs.StatusCode!.Value, logs.Code));
        Assert.Equal("No connected devices found for this account", devices.Message);
    }

    [Fact]
    public async Task Conflict_for_a_box_that_is_not_connected_and_for_a_reused_key()
    {
        var account = await gateway.CreateAccountAsync();
        var offline = await gateway.AddBoxAsync(account.Id, connected: false);
        var online = await gateway.AddBoxAsync(account.Id);
        using var client = gateway.Client(account.Key);
        var key = $"k-{Guid.NewGuid():N}";

        var disconnected = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.MakeAsync(new MakeCallRequest($"salprebox:{offline}", "+905321234567", 1), Cancel));
        await client.Calls.MakeAsync(new MakeCallRequest($"salprebox:{online}", "+905321234567", 1) { IdempotencyKey = key }, Cancel);
        var reused = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.MakeAsync(new MakeCallRequest($"salprebox:{online}", "+905321234567", 2) { IdempotencyKey = key }, Cancel));

        Assert.Equal((HttpStatusCode.Conflict, "conflict", "Device is not connected"), (disconnected.StatusCode!.Value, disconnected.Code, disconnected.Message));
        Assert.Equal((HttpStatusCode.Conflict, "conflict"), (reused.StatusCode!.Value, reused.Code));
    }

    [Fact]
    public async Task Invalid_make_call_fields_name_the_field()
    {
        var account = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);
        using var client = gateway.Client(account.Key);

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.MakeAsync(new MakeCallRequest($"salprebox:{serial}", "12345", 1), Cancel));

        Assert.Equal(("Invalid to value", "to"), (error.Message, error.Param));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "unavailable")]
    [InlineData(HttpStatusCode.InternalServerError, "internal")]
    public async Task Server_faults_carry_the_envelope_and_the_header_request_id(HttpStatusCode status, string code)
    {
        var clock = TimeProvider.System;
        var handler = new ScriptedHandler(clock, _ => ScriptedHandler.Answer(status, $$"""{"status":"error","message":"Service unavailable","code":"{{code}}"}""", requestId: "req-42"));
        using var client = new SalpreClient(new HttpClient(handler), new SalpreClientOptions { ApiKey = "k", BaseAddress = gateway.BaseAddress, Retry = new SalpreRetryOptions { MaxRetries = 0 } });

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.ListAsync(cancellationToken: Cancel));

        Assert.Equal((status, code, "Service unavailable", "req-42"), (error.StatusCode!.Value, error.Code, error.Message, error.RequestId));
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_still_gives_status_message_and_request_id()
    {
        var handler = new ScriptedHandler(TimeProvider.System, _ => ScriptedHandler.Answer(HttpStatusCode.BadGateway, "<html><body>502 Bad Gateway</body></html>", "text/html", requestId: "proxy-7"));
        using var client = new SalpreClient(new HttpClient(handler), new SalpreClientOptions { ApiKey = "k", BaseAddress = gateway.BaseAddress, Retry = new SalpreRetryOptions { MaxRetries = 0 } });

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => client.Calls.GetAsync("c1", Cancel));

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Equal("HTTP 502 Bad Gateway: <html><body>502 Bad Gateway</body></html>", error.Message);
        Assert.Null(error.Code);
        Assert.Equal("proxy-7", error.RequestId);
    }

    [Fact]
    public async Task A_success_whose_body_is_not_the_APIs_JSON_is_an_invalid_response()
    {
        var handler = new ScriptedHandler(TimeProvider.System, _ => ScriptedHandler.Answer(HttpStatusCode.OK, "not json", "text/plain"));
        using var client = new SalpreClient(new HttpClient(handler), new SalpreClientOptions { ApiKey = "k", BaseAddress = gateway.BaseAddress });

        var error = await Assert.ThrowsAsync<SalpreApiException>(() => client.Devices.ListAsync(Cancel));

        Assert.Equal((HttpStatusCode.OK, SalpreApiException.InvalidResponseCode), (error.StatusCode!.Value, error.Code));
    }
}
