using Salpre.Gateway.RateLimits;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Edge;

/// <summary>
/// CORS as a browser meets it, over real HTTP: the preflight a page's fetch with an account-secret-key header sends
/// first, then the request itself; for an origin in <c>Cors:AllowedOrigins</c>, one that is not, and <c>*</c>.
/// </summary>
public sealed class CrossOriginTests(CrossOriginTests.Gateway gateway) : IClassFixture<CrossOriginTests.Gateway>
{
    private const string List = "/api/gateway/v1/call/list?per_page=10";
    private const string Allowed = "http://127.0.0.1:3000";
    private const string Other = "http://127.0.0.1:3001";

    public sealed class Gateway : GatewayFactory
    {
        public Gateway()
        {
            With("Cors:AllowedOrigins:0", Allowed);
            With("Cors:AllowedOrigins:1", "https://crm.example.com");
            With("RateLimiting:RequestsPerSecond", "1");
            With("RateLimiting:Burst", "5");
        }
    }

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_answers_204_with_the_policy_and_needs_no_key()
    {
        var preflight = await PreflightAsync(gateway, Allowed, "GET", "account-secret-key");

        Assert.Equal(204, preflight.Status);
        Assert.Equal(Allowed, preflight.Header("Access-Control-Allow-Origin"));
        Assert.Contains("account-secret-key", preflight.Header("Access-Control-Allow-Headers")!, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("GET", preflight.Header("Access-Control-Allow-Methods")!, StringComparison.Ordinal);
        Assert.Equal("3600", preflight.Header("Access-Control-Max-Age"));
        Assert.Null(preflight.Header("Access-Control-Allow-Credentials"));
        Assert.Equal("", preflight.Body);
    }

    [Theory]
    [InlineData("POST", "account-secret-key,content-type,idempotency-key")]
    [InlineData("PATCH", "account-secret-key,content-type")]
    [InlineData("DELETE", "account-secret-key,x-request-id")]
    [InlineData("GET", "account-secret-key,cache-control,if-none-match")]
    public async Task Every_method_and_header_the_API_reads_is_allowed(string method, string headers)
    {
        var preflight = await PreflightAsync(gateway, "https://crm.example.com", method, headers);

        Assert.Equal(204, preflight.Status);
        Assert.Equal("https://crm.example.com", preflight.Header("Access-Control-Allow-Origin"));
        Assert.Contains(method, preflight.Header("Access-Control-Allow-Methods")!, StringComparison.Ordinal);
        var allowed = preflight.Header("Access-Control-Allow-Headers")!.Split(',', StringSplitOptions.TrimEntries);
        Assert.All(headers.Split(','), header => Assert.Contains(header, allowed, StringComparer.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData(Other, "account-secret-key")]
    [InlineData("http://127.0.0.1:3000.evil.example", "account-secret-key")]
    [InlineData("null", "account-secret-key")]
    [InlineData(Allowed, "authorization")]
    public async Task A_preflight_the_policy_does_not_allow_carries_no_permission(string origin, string header)
    {
        var preflight = await PreflightAsync(gateway, origin, "GET", header);

        Assert.Equal(204, preflight.Status);
        var allowedHeaders = (preflight.Header("Access-Control-Allow-Headers") ?? "").Split(',', StringSplitOptions.TrimEntries);
        Assert.DoesNotContain(header, allowedHeaders, StringComparer.OrdinalIgnoreCase);
        if (origin != Allowed)
        {
            Assert.Null(preflight.Header("Access-Control-Allow-Origin"));
        }
    }

    [Fact]
    public async Task Preflights_never_count_against_the_keys_rate_limit()
    {
        var account = await gateway.CreateAccountAsync();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(204, (await PreflightAsync(gateway, Allowed, "GET", "account-secret-key")).Status);
        }

        var first = await SendAsync(gateway, account.Key, Allowed);

        Assert.Equal(200, first.Status);
        Assert.Matches("^\"key\";r=4;t=[01]$", first.Header(KeyRateLimiter.StateHeader));
    }

    [Fact]
    public async Task An_allowed_origin_reads_the_answer_and_its_headers_errors_included()
    {
        var account = await gateway.CreateAccountAsync();

        var page = await SendAsync(gateway, account.Key, Allowed);
        var refused = await SendAsync(gateway, "sk_live_not_a_key", Allowed);

        Assert.Equal(200, page.Status);
        Assert.Equal(401, refused.Status);
        foreach (var answer in new[] { page, refused })
        {
            Assert.Equal(Allowed, answer.Header("Access-Control-Allow-Origin"));
            Assert.Contains("Origin", answer.Message.Headers.Vary);
            var exposed = answer.Header("Access-Control-Expose-Headers")!.Split(',', StringSplitOptions.TrimEntries);
            Assert.Equal(["X-Request-Id", "RateLimit", "RateLimit-Policy", "Retry-After", "ETag"], exposed);
        }
    }

    [Fact]
    public async Task A_streamed_export_is_readable_by_an_allowed_origin_and_varies_by_both_origin_and_encoding()
    {
        var account = await gateway.CreateAccountAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/gateway/v1/call/export");
        request.Headers.Add("account-secret-key", account.Key);
        request.Headers.Add("Origin", Allowed);

        var export = await gateway.Client().SendWireAsync(request);

        Assert.Equal(200, export.Status);
        Assert.Equal(Allowed, export.Header("Access-Control-Allow-Origin"));
        Assert.Contains("Origin", export.Message.Headers.Vary);
        Assert.Contains("Accept-Encoding", export.Message.Headers.Vary);
    }

    [Fact]
    public async Task Another_origin_gets_the_same_answer_without_permission_to_read_it()
    {
        var account = await gateway.CreateAccountAsync();

        var page = await SendAsync(gateway, account.Key, Other);
        var withoutOrigin = await SendAsync(gateway, account.Key, origin: null);

        Assert.Equal(200, page.Status);
        Assert.Null(page.Header("Access-Control-Allow-Origin"));
        Assert.Null(withoutOrigin.Header("Access-Control-Allow-Origin"));
        Assert.Null(withoutOrigin.Header("Access-Control-Expose-Headers"));
    }

    internal static async Task<WireResponse> PreflightAsync(GatewayFactory gateway, string origin, string method, string headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, List);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return await gateway.Client().SendWireAsync(request);
    }

    private static async Task<WireResponse> SendAsync(GatewayFactory gateway, string key, string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, List);
        request.Headers.Add("account-secret-key", key);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        return await gateway.Client().SendWireAsync(request);
    }
}

/// <summary>The defaults and the other settings: no origin, any origin, and origins that are not origins.</summary>
public sealed class CrossOriginSettingsTests
{
    [Fact]
    public async Task By_default_no_origin_is_allowed()
    {
        await using var gateway = new GatewayFactory();
        await gateway.InitializeAsync();

        var preflight = await CrossOriginTests.PreflightAsync(gateway, "http://127.0.0.1:3000", "GET", "account-secret-key");

        Assert.Equal(204, preflight.Status);
        Assert.Null(preflight.Header("Access-Control-Allow-Origin"));
        Assert.Null(preflight.Header("Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task A_star_allows_any_origin_and_is_warned_about_at_start()
    {
        await using var gateway = new GatewayFactory().With("Cors:AllowedOrigins:0", "*").With("Cors:PreflightMaxAge", "00:10:00");
        await gateway.InitializeAsync();

        var preflight = await CrossOriginTests.PreflightAsync(gateway, "https://anywhere.example", "GET", "account-secret-key");

        Assert.Equal("*", preflight.Header("Access-Control-Allow-Origin"));
        Assert.Equal("600", preflight.Header("Access-Control-Max-Age"));
        Assert.Contains("Cors:AllowedOrigins is *: any web page may call this API from a browser", gateway.Logs.All, StringComparison.Ordinal);
    }

    // The process refuses before it opens any store: once is enough.
    [Trait("Storage", "SqliteOnly")]
    [Theory]
    [InlineData("https://crm.example.com/", "https://crm.example.com/")]
    [InlineData("https://crm.example.com/app", "https://crm.example.com/app")]
    [InlineData("crm.example.com", "crm.example.com")]
    [InlineData("ftp://crm.example.com", "ftp://crm.example.com")]
    public async Task A_setting_that_is_not_an_origin_stops_the_start_with_one_line(string origin, string named)
    {
        var folder = Directory.CreateTempSubdirectory("salpre-cors-").FullName;
        try
        {
            await GatewayProcess.AssertRefusesToStartAsync(folder, new Dictionary<string, string> { ["Cors__AllowedOrigins__0"] = origin },
                $"Cors:AllowedOrigins has '{named}', which is not an origin");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
