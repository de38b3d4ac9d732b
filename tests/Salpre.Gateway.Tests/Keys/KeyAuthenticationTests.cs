using Microsoft.Extensions.DependencyInjection;
using Salpre.Gateway.Keys;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Keys;

/// <summary>The account-secret-key header: who gets in, who gets the document's 401, and what it costs.</summary>
public sealed class KeyAuthenticationTests(KeyAuthenticationTests.Gateway gateway) : IClassFixture<KeyAuthenticationTests.Gateway>
{
    private const string List = "/api/gateway/v1/call/list";
    private const string Unauthorized = """{"status":"error","message":"Unauthorized. Missing or invalid account-secret-key","code":"unauthorized","request_id":""";

    /// <summary>A gateway whose account store counts lookups, and whose key checks run every 100 ms.</summary>
    public sealed class Gateway : GatewayFactory
    {
        public Gateway()
        {
            With("Authentication:RevocationCheckInterval", "00:00:00.100");
            With("Authentication:UsageFlushInterval", "00:00:00.200");
            WithServices(CountingAccountStore.Register);
        }

        public CountingAccountStore Counter => Services.GetRequiredService<CountingAccountStore>();
    }

    public static TheoryData<string, string[]> Refused() => new()
    {
        { "no header", [] },
        { "empty", [""] },
        { "wrong prefix", ["sk_live_" + new string('a', 49)] },
        { "too short", ["slp_sk_abc"] },
        { "bad characters", ["slp_sk_" + new string('!', 49)] },
        { "two headers", [ApiKeyFormat.Generate(), ApiKeyFormat.Generate()] },
        { "unknown but well formed", [ApiKeyFormat.Generate()] },
        { "bearer style", ["Bearer " + ApiKeyFormat.Generate()] },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Refuses_with_the_documents_401(string _, string[] headers)
    {
        using var client = gateway.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, List);
        if (headers.Length > 0)
        {
            request.Headers.TryAddWithoutValidation(KeyAuthenticationMiddleware.Header, headers);
        }

        var response = await client.SendWireAsync(request);

        Assert.Equal(401, response.Status);
        Assert.StartsWith(Unauthorized, response.Body);
    }

    [Fact]
    public async Task Refuses_a_key_with_one_character_changed_without_asking_the_database()
    {
        var account = await gateway.CreateAccountAsync();
        var before = gateway.Counter.KeyLookups;

        for (var i = ApiKeyFormat.Prefix.Length; i < account.Key.Length; i++)
        {
            var changed = string.Concat(account.Key.AsSpan(0, i), account.Key[i] == 'a' ? "b" : "a", account.Key.AsSpan(i + 1));
            var response = await gateway.Client(changed).GetWireAsync(List);
            Assert.Equal(401, response.Status);
        }

        Assert.Equal(before, gateway.Counter.KeyLookups);
    }

    [Fact]
    public async Task Never_reads_the_key_from_the_query_string()
    {
        var account = await gateway.CreateAccountAsync();

        var response = await gateway.Client().GetWireAsync($"{List}?account-secret-key={account.Key}");

        Assert.Equal(401, response.Status);
        Assert.StartsWith(Unauthorized, response.Body);
    }

    [Fact]
    public async Task Takes_the_header_name_in_any_case()
    {
        var account = await gateway.CreateAccountAsync();
        using var client = gateway.Client();
        client.DefaultRequestHeaders.Add("Account-Secret-Key", account.Key);

        var response = await client.GetWireAsync(List);

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task Asks_the_database_once_for_a_key_then_serves_it_from_memory()
    {
        var account = await gateway.CreateAccountAsync();
        var client = gateway.Client(account.Key);
        var before = gateway.Counter.KeyLookups;

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(200, (await client.GetWireAsync(List)).Status);
        }

        Assert.InRange(gateway.Counter.KeyLookups - before, 1, 2);
    }

    [Fact]
    public async Task Remembers_unknown_well_formed_keys_briefly_too()
    {
        var stranger = gateway.Client(ApiKeyFormat.Generate());
        var before = gateway.Counter.KeyLookups;

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(401, (await stranger.GetWireAsync(List)).Status);
        }

        Assert.InRange(gateway.Counter.KeyLookups - before, 1, 2);
    }

    [Fact]
    public async Task Answers_403_when_the_key_lacks_the_read_scope()
    {
        var account = await gateway.CreateAccountAsync(KeyScopes.Ingest | KeyScopes.Write);

        var list = await gateway.Client(account.Key).GetWireAsync(List);
        var details = await gateway.Client(account.Key).GetWireAsync("/api/gateway/v1/call/c1");

        Assert.Equal(403, list.Status);
        Assert.StartsWith("""{"status":"error","message":"Forbidden. This account-secret-key lacks the read scope","code":"forbidden",""", list.Body);
        Assert.Equal(403, details.Status);
    }

    [Fact]
    public async Task A_revoked_key_stops_working_within_the_check_interval()
    {
        var account = await gateway.CreateAccountAsync();
        var (otherKeyId, otherKey) = await gateway.CreateKeyAsync(account.Id, KeyScopes.Read);
        var client = gateway.Client(otherKey);
        Assert.Equal(200, (await client.GetWireAsync(List)).Status);

        await gateway.Accounts.RevokeKeyAsync(otherKeyId, TestContext.Current.CancellationToken);
        var revokedAt = DateTime.UtcNow;
        WireResponse response;
        do
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
            response = await client.GetWireAsync(List);
        }
        while (response.Status == 200 && DateTime.UtcNow - revokedAt < TimeSpan.FromSeconds(5));

        Assert.Equal(401, response.Status);
        Assert.True(DateTime.UtcNow - revokedAt < TimeSpan.FromSeconds(1), "revocation must take effect within about one check interval");
        Assert.Equal(200, (await gateway.Client(account.Key).GetWireAsync(List)).Status);
    }

    [Fact]
    public async Task Records_when_a_key_was_last_used_in_batches_not_per_request()
    {
        var account = await gateway.CreateAccountAsync();
        Assert.Null((await gateway.Accounts.ListKeysAsync(account.Id, TestContext.Current.CancellationToken)).Single().LastUsedAt);
        var writesBefore = gateway.Counter.UsageWrites;

        for (var i = 0; i < 50; i++)
        {
            await gateway.Client(account.Key).GetWireAsync(List);
        }
        long? lastUsed = null;
        for (var wait = 0; wait < 50 && lastUsed is null; wait++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
            lastUsed = (await gateway.Accounts.ListKeysAsync(account.Id, TestContext.Current.CancellationToken)).Single().LastUsedAt;
        }

        Assert.NotNull(lastUsed);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - lastUsed.Value, 0, 5);
        Assert.InRange(gateway.Counter.UsageWrites - writesBefore, 1, 15);
    }
}
