using System.Net.Http.Headers;
using System.Text;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Fuzz;

/// <summary>
/// The five families of requests that once drew a 500 or poisoned a call, each as fixed cases: every one is refused
/// in the envelope with the status that tells the truth, changes nothing, and leaves the call readable.
/// </summary>
public sealed class KnownPoisonTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    private const string MakeCall = "/api/gateway/v1/call/make-call";

    [Theory]
    [InlineData("""{"status":"failed","variables":{"note":"\ud800"}}""", "variables")]
    [InlineData("""{"status":"failed","variables":{"\udfff":"x"}}""", "variables")]
    [InlineData("""{"status":"failed","transcript":"a\ud800"}""", "transcript")]
    public async Task A_report_with_a_lone_surrogate_is_refused_and_the_call_stays_readable(string report, string field)
    {
        var (account, serial) = await AccountAsync();
        var client = gateway.Client(account.Key);
        var callId = (await client.MakeCallAsync(serial)).Json["data"]!["call_id"]!.GetValue<string>();
        var before = await client.GetWireAsync($"/api/gateway/v1/call/{callId}");

        await AssertRefusedAsync(account.Id, () => Post($"/api/gateway/v1/call/{callId}/events", Encoding.UTF8.GetBytes(report), "application/json"),
            account.Key, 400, $"Invalid {field} value");

        var after = await client.GetWireAsync($"/api/gateway/v1/call/{callId}");
        Assert.Equal(200, after.Status);
        Assert.Equal(before.Body, after.Body);
    }

    [Theory]
    [InlineData("\"to\":\"\\ud800\"", "to")]
    [InlineData("\"to\":\"+90532\u00c0\u00ae1234567\"", "to")] // the two bytes C0 AE, an overlong '.', spliced in below
    [InlineData("\"agent_id\":\"5\\u0000\"", "agent_id")]
    public async Task A_make_call_with_unreadable_or_unclean_json_text_is_a_400(string field, string name)
    {
        var (account, serial) = await AccountAsync();
        var fields = new Dictionary<string, string> { ["from"] = $"\"from\":\"salprebox:{serial}\"", ["to"] = "\"to\":\"+905321234567\"", ["agent_id"] = "\"agent_id\":\"5\"" };
        fields[name] = field;
        var body = Encoding.Latin1.GetBytes("{" + string.Join(',', fields.Values) + "}"); // Latin-1 keeps C0 AE as the raw bytes

        await AssertRefusedAsync(account.Id, () => Post(MakeCall, body, "application/json"), account.Key, 400, $"Invalid {name} value");
    }

    public static TheoryData<string, string, string, int> FormBodies()
    {
        const string b = "fuzzboundary";
        string Part(string name, string value, string headers = "") => $"--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n{headers}\r\n{value}\r\n";
        var complete = Part("from", "salprebox:SERIAL") + Part("to", "+905321234567") + Part("agent_id", "5") + $"--{b}--\r\n";
        var manyHeaders = string.Concat(Enumerable.Range(0, 17).Select(i => $"X-H{i}: {i}\r\n"));
        var longHeader = $"X-Long: {new string('h', 17 * 1024)}\r\n";
        var boundary129 = new string('b', 129);
        return new()
        {
            { "multipart without a boundary", "multipart/form-data", complete, 400 },
            { "multipart cut short", $"multipart/form-data; boundary={b}", complete[..40], 400 },
            { "multipart without its closing delimiter", $"multipart/form-data; boundary={b}", complete.Replace($"--{b}--\r\n", "", StringComparison.Ordinal), 400 },
            { "a boundary of 129 characters", $"multipart/form-data; boundary={boundary129}", complete.Replace(b, boundary129, StringComparison.Ordinal), 400 },
            { "a part with 17 headers", $"multipart/form-data; boundary={b}", Part("from", "salprebox:SERIAL", manyHeaders) + $"--{b}--\r\n", 400 },
            { "part headers over 16 KB", $"multipart/form-data; boundary={b}", Part("from", "salprebox:SERIAL", longHeader) + $"--{b}--\r\n", 400 },
            { "1,025 url-encoded fields", "application/x-www-form-urlencoded", string.Join('&', Enumerable.Range(0, 1025).Select(i => $"f{i}=1")), 400 },
            { "a 2,049-character key", "application/x-www-form-urlencoded", $"{new string('k', 2049)}=1&from=salprebox%3ASERIAL", 400 },
            { "agent_id=%00", "application/x-www-form-urlencoded", "from=salprebox%3ASERIAL&to=%2B905321234567&agent_id=%00", 400 },
            { "charset=utf-7", "application/x-www-form-urlencoded; charset=utf-7", "from=salprebox%3ASERIAL&to=%2B905321234567&agent_id=5", 415 },
        };
    }

    [Theory]
    [MemberData(nameof(FormBodies))]
    public async Task A_form_the_framework_cannot_read_is_refused_in_the_envelope(string what, string contentType, string body, int status)
    {
        var (account, serial) = await AccountAsync();
        var bytes = Encoding.UTF8.GetBytes(body.Replace("SERIAL", serial, StringComparison.Ordinal));

        var answer = await AssertRefusedAsync(account.Id, () => Post(MakeCall, bytes, contentType), account.Key, status, message: null);

        Assert.True(answer.Json["code"]!.GetValue<string>() == "invalid_parameter", $"{what}: {answer.Body}");
    }

    [Theory]
    [InlineData("started_after=0001-01-01&tz=Europe/Istanbul", "started_after")]
    [InlineData("started_before=0001-01-01&tz=Asia/Tokyo", "started_before")]
    public async Task A_day_whose_start_in_its_zone_falls_before_year_one_is_a_400(string query, string name)
    {
        var (account, _) = await AccountAsync();

        var answer = await gateway.Client(account.Key).GetWireAsync($"/api/gateway/v1/call/list?{query}");

        Assert.Equal(400, answer.Status);
        Assert.StartsWith($$"""{"status":"error","message":"Invalid {{name}} value","code":"invalid_parameter","param":"{{name}}",""", answer.Body);
    }

    [Theory]
    [InlineData("heartbeat", "firmware_version")]
    [InlineData("make-call", "from")]
    [InlineData("report", "transcript")]
    public async Task A_nul_in_text_is_refused_alike_on_every_store(string where, string field)
    {
        var (account, serial) = await AccountAsync();
        var client = gateway.Client(account.Key);
        var callId = (await client.MakeCallAsync(serial)).Json["data"]!["call_id"]!.GetValue<string>();
        var (path, json) = where switch
        {
            "heartbeat" => ("/api/gateway/v1/salprebox/heartbeat", $$"""{"serial_no":"{{serial}}","firmware_version":"1.0\u0000"}"""),
            "make-call" => (MakeCall, """{"from":"salprebox:\u0000","to":"+905321234567","agent_id":5}"""),
            _ => ($"/api/gateway/v1/call/{callId}/events", """{"status":"failed","transcript":"a\u0000b"}"""),
        };

        await AssertRefusedAsync(account.Id, () => Post(path, Encoding.UTF8.GetBytes(json), "application/json"), account.Key, 400, $"Invalid {field} value");
    }

    private async Task<(TestAccount Account, string Serial)> AccountAsync()
    {
        var account = await gateway.CreateAccountAsync(KeyScopes.Read | KeyScopes.Write | KeyScopes.Ingest);
        return (account, await gateway.AddBoxAsync(account.Id));
    }

    private static HttpRequestMessage Post(string path, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    /// <summary>Sends the request; the answer must be the refusal in the envelope, and the account must be as it was.</summary>
    private async Task<WireResponse> AssertRefusedAsync(long accountId, Func<HttpRequestMessage> request, string key, int status, string? message)
    {
        var version = await gateway.Calls.GetVersionAsync(accountId, CancellationToken.None);
        var devices = string.Join(" | ", await gateway.Devices.ListAsync(accountId, CancellationToken.None));

        using var sent = request();
        var answer = await gateway.Client(key).SendWireAsync(sent);

        Assert.True(answer.Status == status, $"{answer.Status}: {answer.Body}");
        Assert.True(WireExtensions.IsEnvelope(answer.Body), answer.Body);
        if (message is not null)
        {
            Assert.Equal(message, answer.Json["message"]!.GetValue<string>());
        }
        Assert.Equal(version, await gateway.Calls.GetVersionAsync(accountId, CancellationToken.None));
        Assert.Equal(devices, string.Join(" | ", await gateway.Devices.ListAsync(accountId, CancellationToken.None)));
        return answer;
    }
}
