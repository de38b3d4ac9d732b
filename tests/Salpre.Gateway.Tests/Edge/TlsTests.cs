using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Edge;

/// <summary>
/// TLS without a proxy: the gateway process with a Kestrel endpoint whose certificate comes from configuration, as
/// PEM files or a password-protected PFX made by the test, answering HTTP/2 over TLS (ALPN) and HTTP/1.1, with the
/// dashboard's cookie Secure.
/// </summary>
[Trait("Storage", "SqliteOnly")]
public sealed class TlsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salpre-tls-").FullName;
    private readonly X509Certificate2 _certificate = MakeCertificate();

    public void Dispose()
    {
        _certificate.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("pfx")]
    public async Task Serves_the_list_over_HTTP2_and_HTTP1_with_a_certificate_from_configuration(string form)
    {
        var environment = Storage();
        environment["Kestrel__Endpoints__Https__Url"] = "https://127.0.0.1:0";
        foreach (var (name, value) in CertificateSettings(form))
        {
            environment[name] = value;
        }
        var key = await CreateAccountAsync(environment);

        await using var gateway = GatewayProcess.Start(_folder, environment);
        var address = await gateway.WaitForAddressAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("https", address.Scheme);
        foreach (var version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
        {
            using var client = TrustingClient(version);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "/api/gateway/v1/call/list?per_page=10"))
            {
                Version = version,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Headers.Add("account-secret-key", key);
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.Equal(version, response.Version);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("success", JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["status"]!.GetValue<string>());
        }
        Assert.Equal(0, await gateway.StopAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("Overriding address", gateway.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_TLS_the_dashboards_session_cookie_is_Secure()
    {
        var environment = Storage();
        environment["Kestrel__Endpoints__Https__Url"] = "https://127.0.0.1:0";
        foreach (var (name, value) in CertificateSettings("pem"))
        {
            environment[name] = value;
        }
        var account = (await AdminAsync(environment, "accounts", "create", "--name", "tls", "--json"))["account_id"]!.ToJsonString();
        await using var gateway = GatewayProcess.Start(_folder, environment);
        var address = await gateway.WaitForAddressAsync(TimeSpan.FromSeconds(60));
        var link = await AdminAsync(environment, "dashboard", "link", "--account", account, "--url", address.ToString(), "--json");

        using var client = TrustingClient(HttpVersion.Version20);
        using var response = await client.GetAsync(new Uri(link["sign_in_url"]!.GetValue<string>()), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), value => value.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("secure", cookie.Split(';', StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_certificate_that_cannot_be_read_stops_the_start_and_says_which()
    {
        var environment = Storage();
        environment["Kestrel__Endpoints__Https__Url"] = "https://127.0.0.1:0";
        environment["Kestrel__Endpoints__Https__Certificate__Path"] = Path.Combine(_folder, "missing.pem");

        await using var gateway = GatewayProcess.Start(_folder, environment);

        Assert.NotEqual(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("missing.pem", gateway.Output, StringComparison.Ordinal);
    }

    private Dictionary<string, string> Storage() => new() { ["Storage__ConnectionString"] = $"Data Source={Path.Combine(_folder, "salpre.db")}" };

    private IEnumerable<(string Name, string Value)> CertificateSettings(string form)
    {
        const string prefix = "Kestrel__Endpoints__Https__Certificate__";
        if (form == "pem")
        {
            var certificate = Path.Combine(_folder, "cert.pem");
            var key = Path.Combine(_folder, "key.pem");
            File.WriteAllText(certificate, _certificate.ExportCertificatePem());
            File.WriteAllText(key, _certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            return [(prefix + "Path", certificate), (prefix + "KeyPath", key)];
        }
        var pfx = Path.Combine(_folder, "cert.pfx");
        File.WriteAllBytes(pfx, _certificate.Export(X509ContentType.Pfx, "test-password"));
        return [(prefix + "Path", pfx), (prefix + "Password", "test-password")];
    }

    private async Task<string> CreateAccountAsync(IReadOnlyDictionary<string, string> environment) =>
        (await AdminAsync(environment, "accounts", "create", "--name", "tls", "--json"))["secret_key"]!.GetValue<string>();

    private async Task<JsonNode> AdminAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var admin = GatewayProcess.Start(_folder, environment, args);
        Assert.Equal(0, await admin.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        return JsonNode.Parse(admin.Output.Trim().Split('\n')[^1])!;
    }

    /// <summary>A client that trusts exactly the test's certificate, at one HTTP version and no other.</summary>
    private HttpClient TrustingClient(Version version)
    {
        var thumbprint = _certificate.GetCertHashString(HashAlgorithmName.SHA256);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) =>
                    presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint,
            },
        };
        return new HttpClient(handler) { DefaultRequestVersion = version, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    private static X509Certificate2 MakeCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }
}
