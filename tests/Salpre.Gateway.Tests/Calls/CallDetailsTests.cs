using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Tests.Calls;

/// <summary>GET /call/{id}: both id forms, the details fields, and one answer for everything that is not yours.</summary>
public sealed class CallDetailsTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    private const string NotFound = """{"status":"error","message":"Call not found. Please check the call ID.","code":"not_found",""";

    [Fact]
    public async Task Answers_both_id_forms_with_the_list_fields_then_the_details()
    {
        var account = await gateway.CreateAccountAsync();
        var started = new DateTimeOffset(2025, 10, 9, 10, 41, 22, TimeSpan.Zero).ToUnixTimeSeconds();
        await gateway.SeedAsync(account.Id,
        [
            new CallDetailsRecord(new CallRecord(874, CallStatus.Completed, "salprebox:SALPRE_123456", "+905321234567", 5, CallDirection.Outbound,
                started, started + 162, 150), "https://recordings.example.com/874.mp3", "Agent: Merhaba!\nCustomer: \"Hi\"", """{"name":"Ayşe","score":4,"tags":["vip"]}"""),
            new CallDetailsRecord(new CallRecord(875, CallStatus.Initiated, "salprebox:SALPRE_123456", "+905321234568", 5, CallDirection.Outbound,
                started + 500, null, null), null, null, null),
        ]);
        var client = gateway.Client(account.Key);

        var prefixed = await client.GetWireAsync("/api/gateway/v1/call/c874");
        var bare = await client.GetWireAsync("/api/gateway/v1/call/874");
        var plain = await client.GetWireAsync("/api/gateway/v1/call/c875");

        Assert.Equal(200, prefixed.Status);
        Assert.Equal(
            """{"status":"success","data":{"call_id":"c874","status":"completed","from":"salprebox:SALPRE_123456","to":"+905321234567","agent_id":5,"direction":"outbound","started_at":"2025-10-09T10:41:22Z","ended_at":"2025-10-09T10:44:04Z","duration_sec":150""" +
            ""","audio_record_url":"https://recordings.example.com/874.mp3","transcript":"Agent: Merhaba!\nCustomer: \"Hi\"","variables":{"name":"Ayşe","score":4,"tags":["vip"]}}}""",
            prefixed.Body);
        Assert.Equal(prefixed.Body, bare.Body);
        Assert.EndsWith("""
            "duration_sec":null,"audio_record_url":null,"transcript":null,"variables":{}}}
            """, plain.Body);
    }

    [Theory]
    [InlineData("c999999")]
    [InlineData("999999")]
    [InlineData("abc")]
    [InlineData("c")]
    [InlineData("0")]
    [InlineData("c0")]
    [InlineData("c0874")]
    [InlineData("-874")]
    [InlineData("874x")]
    [InlineData("C874")]
    [InlineData("99999999999999999999999")]
    [InlineData("%20874")]
    public async Task Answers_unknown_and_malformed_ids_with_the_documents_404(string id)
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, [CallData.Call(new Random(1), 1_760_000_000, 874)]);

        var response = await gateway.Client(account.Key).GetWireAsync($"/api/gateway/v1/call/{id}");

        Assert.Equal(404, response.Status);
        Assert.StartsWith(NotFound, response.Body);
    }
}
