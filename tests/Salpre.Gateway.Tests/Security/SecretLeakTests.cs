using System.Security.Cryptography;
using System.Text;
using Salpre.Gateway.Keys;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Security;

/// <summary>
/// Issued keys never reach the database file, the logs (at every level, even when a client misplaces a key in the
/// query string) or any answer. The key's hash must be found in the database, which shows the scan reads the right
/// bytes. (A key a client puts in the URL path shows in Debug-level routing logs; the shipped levels keep those out.)
/// </summary>
public sealed class SecretLeakTests(SecretLeakTests.Gateway gateway) : IClassFixture<SecretLeakTests.Gateway>
{
    public sealed class Gateway : GatewayFactory
    {
        public Gateway()
        {
            With("Logging:LogLevel:Default", "Trace");
            With("Logging:LogLevel:Microsoft.AspNetCore", "Trace");
            With("Logging:LogLevel:Microsoft", "Trace");
            With("Authentication:RevocationCheckInterval", "00:00:00.100");
            With("Authentication:UsageFlushInterval", "00:00:00.100");
        }
    }

    [Fact]
    public async Task No_secret_key_is_stored_logged_or_answered()
    {
        var account = await gateway.CreateAccountAsync();
        var (revokedId, revoked) = await gateway.CreateKeyAsync(account.Id, KeyScopes.Read);
        var unknown = ApiKeyFormat.Generate();
        await gateway.SeedAsync(account.Id, CallData.Generate(20, seed: 1));
        var answers = new StringBuilder();

        async Task Send(HttpClient client, string path)
        {
            var response = await client.GetWireAsync(path);
            answers.Append(response.Body).Append(string.Join(';', response.Message.Headers.SelectMany(h => h.Value)));
        }

        await Send(gateway.Client(account.Key), "/api/gateway/v1/call/list?per_page=5");
        await Send(gateway.Client(account.Key), "/api/gateway/v1/call/c1");
        await Send(gateway.Client(revoked), "/api/gateway/v1/call/list");
        await gateway.Accounts.RevokeKeyAsync(revokedId, TestContext.Current.CancellationToken);
        await Task.Delay(400, TestContext.Current.CancellationToken);
        await Send(gateway.Client(revoked), "/api/gateway/v1/call/list");
        await Send(gateway.Client(unknown), "/api/gateway/v1/call/list");
        await Send(gateway.Client(), $"/api/gateway/v1/call/list?account-secret-key={account.Key}");
        await Send(gateway.Client(account.Key), $"/api/gateway/v1/call/list?cursor={account.Key}");
        await Task.Delay(400, TestContext.Current.CancellationToken);

        var database = await gateway.ReadStoredBytesAsync();
        var logs = gateway.Logs.All;
        Assert.NotEmpty(logs);
        foreach (var secret in new[] { account.Key, revoked, unknown })
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
            Assert.DoesNotContain(secret, database, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, answers.ToString(), StringComparison.Ordinal);
            foreach (var form in new[] { Convert.ToHexString(hash), Convert.ToHexStringLower(hash), Convert.ToBase64String(hash) })
            {
                Assert.DoesNotContain(form, logs, StringComparison.Ordinal);
                Assert.DoesNotContain(form, answers.ToString(), StringComparison.Ordinal);
            }
        }
        // The scan sees the stored hashes, so it would see a stored secret.
        Assert.Contains(Latin1(SHA256.HashData(Encoding.UTF8.GetBytes(account.Key))), database, StringComparison.Ordinal);
        Assert.Contains(Latin1(SHA256.HashData(Encoding.UTF8.GetBytes(revoked))), database, StringComparison.Ordinal);
    }

    private static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
