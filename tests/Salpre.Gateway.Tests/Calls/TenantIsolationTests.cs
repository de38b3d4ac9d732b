using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Calls;

/// <summary>
/// Probes from outside: account B, with its own key, asks for everything of account A it could know or guess.
/// Every answer must be the one an unknown call gets, and no list of B's may hold one of A's calls.
/// </summary>
public sealed class TenantIsolationTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    private const string List = "/api/gateway/v1/call/list";

    [Fact]
    public async Task Another_accounts_calls_answer_exactly_like_unknown_ones_in_both_id_forms()
    {
        var a = await gateway.CreateAccountAsync();
        var b = await gateway.CreateAccountAsync();
        var aCalls = await gateway.SeedAsync(a.Id, CallData.Generate(500, seed: 1));
        var bCalls = await gateway.SeedAsync(b.Id, CallData.Generate(500, seed: 2));
        var client = gateway.Client(b.Key);
        var unknown = await client.GetWireAsync("/api/gateway/v1/call/c999999999");

        var probes = 0;
        foreach (var call in aCalls)
        {
            foreach (var id in new[] { $"c{call.Call.CallNum}", $"{call.Call.CallNum}" })
            {
                var response = await client.GetWireAsync($"/api/gateway/v1/call/{id}");
                Assert.Equal(404, response.Status);
                Assert.Equal(unknown.BodyWithoutRequestId(), response.BodyWithoutRequestId());
                probes++;
            }
        }

        var bIds = (await CallFilterTests.ReadAllAsync(client, "")).ToHashSet();
        Assert.Equal(bCalls.Select(c => $"c{c.Call.CallNum}").ToHashSet(), bIds);
        Assert.DoesNotContain(aCalls, c => bIds.Contains($"c{c.Call.CallNum}"));
        Assert.Equal(1000, probes);
    }

    [Fact]
    public async Task Filters_built_from_another_accounts_data_find_only_your_own()
    {
        var a = await gateway.CreateAccountAsync();
        var b = await gateway.CreateAccountAsync();
        var aCalls = await gateway.SeedAsync(a.Id, CallData.Generate(200, seed: 5));
        var bIds = (await gateway.SeedAsync(b.Id, CallData.Generate(50, seed: 6))).Select(c => $"c{c.Call.CallNum}").ToHashSet();
        var client = gateway.Client(b.Key);

        foreach (var query in aCalls.Select(c => c.Call.To).Distinct().Select(to => $"to={Uri.EscapeDataString(to)}")
                     .Concat(aCalls.Select(c => c.Call.From).Distinct().Select(from => $"from={from}"))
                     .Append("include_total=true"))
        {
            var ids = await CallFilterTests.ReadAllAsync(client, query);
            Assert.All(ids, id => Assert.Contains(id, bIds));
        }
        var total = await client.GetWireAsync($"{List}?include_total=true");
        Assert.Equal(50, total.Meta["total"]!.GetValue<long>());
    }
}
