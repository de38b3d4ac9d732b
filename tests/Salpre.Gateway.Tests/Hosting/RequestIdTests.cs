using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Hosting;

public sealed class RequestIdTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/api/gateway/v1/call/list")]
    [InlineData("/missing")]
    public async Task Every_answer_carries_a_fresh_request_id(string path)
    {
        var first = await gateway.Client().GetWireAsync(path);
        var second = await gateway.Client().GetWireAsync(path);

        Assert.Matches("^[0-9a-f]{32}$", first.Header("X-Request-Id"));
        Assert.NotEqual(first.Header("X-Request-Id"), second.Header("X-Request-Id"));
        if (first.Status >= 400)
        {
            Assert.Equal(first.Header("X-Request-Id"), first.Json["request_id"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("trace-42.abc_DEF:1", true)]
    [InlineData("a", true)]
    [InlineData("has space", false)]
    [InlineData("<script>", false)]
    [InlineData("", false)]
    public async Task Keeps_a_sane_client_request_id_and_replaces_others(string offered, bool kept)
    {
        using var client = gateway.Client();
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-Request-Id", offered);

        var response = await client.GetWireAsync("/api/gateway/v1/call/list");

        Assert.Equal(kept, response.Header("X-Request-Id") == offered);
        Assert.Equal(response.Header("X-Request-Id"), response.Json["request_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Replaces_an_overlong_request_id()
    {
        using var client = gateway.Client();
        client.DefaultRequestHeaders.Add("X-Request-Id", new string('x', 129));

        var response = await client.GetWireAsync("/healthz");

        Assert.Matches("^[0-9a-f]{32}$", response.Header("X-Request-Id"));
    }
}
