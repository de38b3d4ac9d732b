using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Security;

/// <summary>
/// Generated requests, many of them hostile: whatever the query string or path, the gateway answers 200 or a 4xx in
/// the envelope, and a 400 names a real parameter.
/// </summary>
public sealed partial class QueryFuzzTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    private static readonly string[] s_known =
        ["per_page", "page", "cursor", "status", "agent_id", "direction", "to", "from", "started_after", "started_before",
         "min_duration", "max_duration", "order", "include_total", "tz"];

    // A few of the Big List of Naughty Strings' families, plus values each parameter accepts.
    private static readonly string[] s_values =
    [
        "", "0", "1", "10", "100", "101", "-1", "+5", "1e3", "0x10", "9223372036854775807", "99999999999999999999999999",
        "1.5", "true", "false", "null", "undefined", "NaN", "Infinity", "desc", "asc", "completed", "in-progress",
        "completed,failed", "completed,,failed", ",", "outbound", "inbound", "+905321234567", "salprebox:X",
        "2025-10-01", "2025-10-01T10:00:00Z", "2025-10-01T10:00:00+03:00", "2025-02-30", "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z", "Europe/Istanbul", "UTC", "../../../etc/passwd", "'; DROP TABLE calls; --",
        "\" OR 1=1 --", "<script>alert(1)</script>", "%00", "\0", "\u202e", "Ω≈ç√∫", "田中さんにあげて下さい", "👍🏽",
        "\ud800", "AQADAgAAAAAAAAA", "AAAA", "c1", "1,2,3", new string('9', 500), new string('a', 3000),
    ];

    /// <summary>Kestrel's default <c>MaxRequestLineSize</c>, which the gateway keeps.</summary>
    private const int MaxRequestLine = 8192;

    private static readonly Gen<string> s_name = Gen.OneOf(
        Gen.OneOf<string>(s_known),
        Gen.OneOf<string>("stauts", "PER_PAGE", "Per_Page", "per_page[]", "", "a=b", "&", "account-secret-key"),
        Gen.String[Gen.Char.AlphaNumeric, 1, 12]);

    private static readonly Gen<string> s_value = Gen.OneOf(
        Gen.OneOf<string>(s_values),
        Gen.String[0, 40],
        Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static readonly Gen<string> s_query =
        Gen.Select(s_name, s_value, Gen.Bool, (name, value, raw) => raw
                ? $"{Uri.EscapeDataString(name)}={value.Replace("&", "", StringComparison.Ordinal).Replace("#", "", StringComparison.Ordinal)}"
                : $"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}")
            .Array[0, 6]
            .Select(parts => string.Join('&', parts));

    [Fact]
    public async Task Any_query_string_gets_200_or_a_400_naming_a_real_parameter()
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(30, seed: 3));
        var client = gateway.Client(account.Key);
        var requests = 0;

        await s_query.SampleAsync(async query =>
        {
            Uri uri;
            try
            {
                uri = new Uri(gateway.BaseAddress, "/api/gateway/v1/call/list?" + query);
            }
            catch (UriFormatException)
            {
                return;
            }
            var response = await client.GetWireAsync(uri.PathAndQuery);
            Interlocked.Increment(ref requests);
            // A request line over Kestrel's limit (8 KB) is refused by the server before the gateway sees it.
            if ($"GET {uri.PathAndQuery} HTTP/1.1".Length > MaxRequestLine)
            {
                Assert.Equal(414, response.Status);
                return;
            }
            Assert.True(response.Status is 200 or 400, $"{response.Status} for ?{query}: {response.Body}");
            Assert.True(WireExtensions.IsEnvelope(response.Body), $"not an envelope for ?{query}: {response.Body}");
            if (response.Status == 400)
            {
                var message = InvalidValue().Match(response.Json["message"]!.GetValue<string>());
                Assert.True(message.Success, response.Body);
                Assert.Contains(message.Groups[1].Value, s_known);
                Assert.Equal(message.Groups[1].Value, response.Json["param"]!.GetValue<string>());
            }
            else
            {
                Assert.NotNull(response.Json["meta"]!["has_next"]);
            }
        }, iter: 4000, threads: 4, seed: "0001GtEAx1hY");

        Assert.True(requests > 3500, $"only {requests} requests were sent");
    }

    [Fact]
    public async Task Any_call_id_in_the_path_gets_200_or_the_documents_404()
    {
        var account = await gateway.CreateAccountAsync();
        await gateway.SeedAsync(account.Id, CallData.Generate(20, seed: 4, firstNumber: 1));
        var client = gateway.Client(account.Key);

        await Gen.OneOf(Gen.OneOf<string>(s_values), Gen.String[1, 30], Gen.Int[0, 30].Select(n => $"c{n}")).SampleAsync(async id =>
        {
            // Kestrel itself refuses a path holding a control character, with a bare 400, before any application code;
            // and "." or ".." are path segments, not ids: they move the request elsewhere.
            if (string.IsNullOrEmpty(id) || id.Any(char.IsControl) || id is "." or "..") return;
            var response = await client.GetWireAsync("/api/gateway/v1/call/" + Uri.EscapeDataString(id));
            Assert.True(response.Status is 200 or 404, $"{response.Status} for {id}: {string.Join('\n', gateway.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)))}");
            Assert.True(WireExtensions.IsEnvelope(response.Body), response.Body);
            if (response.Status == 404)
            {
                Assert.True(response.Json["message"]!.GetValue<string>() == "Call not found. Please check the call ID.", $"{id}: {response.Body}");
            }
        }, iter: 1500, threads: 4, seed: "0001GtEAx1hY");
    }

    [Fact]
    public async Task Hostile_headers_get_the_documents_401_not_a_fault()
    {
        await Gen.OneOf(Gen.OneOf<string>(s_values), Gen.String[Gen.Char.AlphaNumeric, 50, 60].Select(s => "slp_sk_" + s)).SampleAsync(async key =>
        {
            using var client = gateway.Client();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/gateway/v1/call/list");
            var ascii = new string([.. key.Where(c => c is >= ' ' and < (char)127)]);
            request.Headers.TryAddWithoutValidation("account-secret-key", Encoding.ASCII.GetString(Encoding.ASCII.GetBytes(ascii)));
            var response = await client.SendWireAsync(request);
            Assert.Equal(401, response.Status);
            Assert.True(WireExtensions.IsEnvelope(response.Body));
        }, iter: 500, threads: 4, seed: "0001GtEAx1hY");
    }

    [Fact]
    public async Task Any_make_call_or_report_body_gets_an_answer_in_the_envelope_and_never_a_fault()
    {
        var account = await gateway.CreateAccountAsync(Storage.Accounts.KeyScopes.Read | Storage.Accounts.KeyScopes.Write | Storage.Accounts.KeyScopes.Ingest);
        var serial = await gateway.AddBoxAsync(account.Id);
        var client = gateway.Client(account.Key);
        var callId = (await client.MakeCallAsync(serial)).Json["data"]!["call_id"]!.GetValue<string>();
        var value = Gen.OneOf(Gen.OneOf<string>(s_values), Gen.String[0, 30]).Select(v => System.Text.Json.JsonSerializer.Serialize(v));
        var anyJson = Gen.OneOf(value, Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.OneOf<string>("null", "true", "[]", "{}", "[1,\"a\"]", "{\"a\":{\"b\":1}}", "1e308", "-0"));
        var names = Gen.OneOf(Gen.OneOf<string>("from", "to", "agent_id", "status", "at", "detail", "transcript", "variables", "audio_record_url", "call_id"), Gen.String[Gen.Char.AlphaNumeric, 1, 8]);
        var body = Gen.Select(names, anyJson, (n, v) => $"\"{n}\":{v}").Array[0, 6].Select(fields => "{" + string.Join(',', fields) + "}");
        var raw = Gen.OneOf(body, Gen.String[0, 60], Gen.OneOf<string>("", "{", "[", "\"x\"", "{\"from\":\"salprebox:" + serial + "\",\"to\":\"+905321234567\",\"agent_id\":5}"));

        await Gen.Select(raw, Gen.Bool).SampleAsync(async (text, toEvents) =>
        {
            var path = toEvents ? $"/api/gateway/v1/call/{callId}/events" : "/api/gateway/v1/call/make-call";
            var answer = await client.PostJsonAsync(path, text);
            Assert.True(answer.Status is 200 or 400 or 409 or 429, $"{answer.Status} for {text}: {answer.Body}");
            Assert.True(WireExtensions.IsEnvelope(answer.Body), answer.Body);
        }, iter: 1500, threads: 4, seed: "0001GtEAx1hY");
    }

    [GeneratedRegex("^Invalid ([a-z_]+) value$")]
    private static partial Regex InvalidValue();
}
