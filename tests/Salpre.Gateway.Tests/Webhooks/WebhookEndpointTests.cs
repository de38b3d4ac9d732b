using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Webhooks;

/// <summary>The endpoints' API from the outside: create (secret shown once), read, change, delete, scopes, other accounts.</summary>
public sealed class WebhookEndpointTests(WebhookGateway gateway) : IClassFixture<WebhookGateway>
{
    private const string Webhooks = WebhookParties.Webhooks;

    [Fact]
    public async Task An_account_has_at_most_twenty_endpoints_and_a_deleted_one_makes_room()
    {
        var parties = await gateway.PartiesAsync();
        var other = await gateway.PartiesAsync();
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await parties.CreateEndpointAsync($"https://hooks.example.com/{i}")).Id);
        }

        var refused = await parties.Api.PostJsonAsync(Webhooks, """{"url":"https://hooks.example.com/20"}""");
        var elsewhere = await other.Api.PostJsonAsync(Webhooks, """{"url":"https://hooks.example.com/other"}""");
        var deleted = await parties.Api.SendWireAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Webhooks}/{ids[0]}"));
        var afterDelete = await parties.Api.PostJsonAsync(Webhooks, """{"url":"https://hooks.example.com/20"}""");

        Assert.Equal(409, refused.Status);
        Assert.Equal("conflict", refused.Json["code"]!.GetValue<string>());
        Assert.Contains("at most 20", refused.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(20, (await parties.Api.GetWireAsync(Webhooks)).Data.Count);
        Assert.Equal(200, elsewhere.Status);
        Assert.Equal(200, deleted.Status);
        Assert.Equal(200, afterDelete.Status);
    }

    [Fact]
    public async Task An_endpoint_is_created_with_its_secret_shown_once_then_read_changed_and_deleted()
    {
        var parties = await gateway.PartiesAsync();
        var created = await parties.Api.PostJsonAsync(Webhooks,
            """{"url":"https://hooks.example.com/salpre?x=1","event_types":["call.completed","call.failed"],"description":"CRM"}""");
        var data = created.Json["data"]!;
        var id = data["id"]!.GetValue<string>();
        var secret = data["secret"]!.GetValue<string>();

        Assert.Equal(200, created.Status);
        Assert.Matches("^wh_[0-9]+$", id);
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", secret);
        Assert.Equal(["call.completed", "call.failed"], data["event_types"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("enabled", data["status"]!.GetValue<string>());
        Assert.Equal(4, data["max_in_flight"]!.GetValue<int>());

        var one = await parties.Api.GetWireAsync($"{Webhooks}/{id}");
        var all = await parties.Api.GetWireAsync(Webhooks);
        Assert.Null(one.Json["data"]!["secret"]);
        Assert.DoesNotContain(secret, one.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, all.Body, StringComparison.Ordinal);
        Assert.Equal([id], all.Data.Select(e => e!["id"]!.GetValue<string>()));

        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"{Webhooks}/{id}")
        {
            Content = new StringContent("""{"url":"https://other.example.com/h","status":"disabled","max_in_flight":9}""", System.Text.Encoding.UTF8, "application/json"),
        };
        var patched = (await parties.Api.SendWireAsync(patch)).Json["data"]!;
        Assert.Equal("https://other.example.com/h", patched["url"]!.GetValue<string>());
        Assert.Equal("disabled", patched["status"]!.GetValue<string>());
        Assert.Equal("disabled through the API", patched["disabled_reason"]!.GetValue<string>());
        Assert.Equal(9, patched["max_in_flight"]!.GetValue<int>());
        Assert.Equal(["call.completed", "call.failed"], patched["event_types"]!.AsArray().Select(t => t!.GetValue<string>()));

        var deleted = await parties.Api.SendWireAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Webhooks}/{id}"));
        Assert.Equal(200, deleted.Status);
        Assert.Equal(404, (await parties.Api.GetWireAsync($"{Webhooks}/{id}")).Status);
        Assert.Equal(404, (await parties.Api.SendWireAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Webhooks}/{id}"))).Status);
    }

    [Theory]
    [InlineData("""{"url":"ftp://hooks.example.com/"}""", "url")]
    [InlineData("""{"url":"/relative"}""", "url")]
    [InlineData("""{"url":"https://user:pass@hooks.example.com/"}""", "url")]
    [InlineData("""{"url":"https://hooks.example.com/#frag"}""", "url")]
    [InlineData("""{}""", "url")]
    [InlineData("""{"url":"https://hooks.example.com/","event_types":[]}""", "event_types")]
    [InlineData("""{"url":"https://hooks.example.com/","event_types":["call.in-progress"]}""", "event_types")]
    [InlineData("""{"url":"https://hooks.example.com/","event_types":["webhook.test"]}""", "event_types")]
    [InlineData("""{"url":"https://hooks.example.com/","max_in_flight":0}""", "max_in_flight")]
    [InlineData("""{"url":"https://hooks.example.com/","max_in_flight":101}""", "max_in_flight")]
    public async Task Bad_input_answers_400_naming_the_field_and_creates_nothing(string body, string field)
    {
        var parties = await gateway.PartiesAsync();
        var answer = await parties.Api.PostJsonAsync(Webhooks, body);

        Assert.Equal(400, answer.Status);
        Assert.StartsWith($"Invalid {field} value", answer.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(field, answer.Json["param"]!.GetValue<string>());
        Assert.Empty((await parties.Api.GetWireAsync(Webhooks)).Data);
    }

    [Fact]
    public async Task Changes_need_the_write_scope_and_reads_the_read_scope()
    {
        var parties = await gateway.PartiesAsync();
        var (id, _) = await parties.CreateEndpointAsync("https://hooks.example.com/");
        var (_, readOnly) = await gateway.CreateKeyAsync(parties.Account.Id, KeyScopes.Read);
        var reader = gateway.Client(readOnly);

        Assert.Equal(200, (await reader.GetWireAsync($"{Webhooks}/{id}")).Status);
        Assert.Equal(403, (await reader.PostJsonAsync(Webhooks, """{"url":"https://hooks.example.com/"}""")).Status);
        Assert.Equal(403, (await reader.PostJsonAsync($"{Webhooks}/{id}/rotate-secret", "{}")).Status);
        Assert.Equal(403, (await reader.SendWireAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Webhooks}/{id}"))).Status);
        Assert.Equal(401, (await gateway.Client().GetWireAsync(Webhooks)).Status);
    }

    [Fact]
    public async Task Another_accounts_endpoint_answers_as_an_unknown_one_and_is_left_as_it_was()
    {
        var owner = await gateway.PartiesAsync();
        var (id, _) = await owner.CreateEndpointAsync("https://hooks.example.com/");
        var stranger = await gateway.PartiesAsync();
        var unknown = await stranger.Api.GetWireAsync($"{Webhooks}/wh_999999999");

        var answers = new List<WireResponse>
        {
            await stranger.Api.GetWireAsync($"{Webhooks}/{id}"),
            await stranger.Api.GetWireAsync($"{Webhooks}/{id}/deliveries"),
            await stranger.Api.PostJsonAsync($"{Webhooks}/{id}/rotate-secret", "{}"),
            await stranger.Api.PostJsonAsync($"{Webhooks}/{id}/test", "{}"),
            await stranger.Api.PostJsonAsync($"{Webhooks}/{id}/recover", """{"since":"2026-01-01T00:00:00Z"}"""),
            await stranger.Api.PostJsonAsync($"{Webhooks}/{id}/deliveries/dlv_1/retry", "{}"),
            await stranger.Api.SendWireAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Webhooks}/{id}")),
        };

        Assert.All(answers, answer => Assert.Equal(404, answer.Status));
        Assert.All(answers, answer => Assert.Equal(unknown.BodyWithoutRequestId(), answer.BodyWithoutRequestId()));
        Assert.Empty((await stranger.Api.GetWireAsync(Webhooks)).Data);
        Assert.Equal("enabled", (await owner.Api.GetWireAsync($"{Webhooks}/{id}")).Json["data"]!["status"]!.GetValue<string>());
        Assert.Empty(await owner.DeliveriesAsync(id));
    }

    [Fact]
    public async Task A_secret_is_kept_sealed_and_never_logged()
    {
        var parties = await gateway.PartiesAsync();
        var (id, secret) = await parties.CreateEndpointAsync("https://hooks.example.com/");
        var rotated = (await parties.Api.PostJsonAsync($"{Webhooks}/{id}/rotate-secret", "{}")).Json["data"]!["secret"]!.GetValue<string>();

        var stored = await gateway.ReadStoredBytesAsync();
        foreach (var text in new[] { secret, rotated })
        {
            var key = Convert.FromBase64String(text["whsec_".Length..]);
            Assert.DoesNotContain(text["whsec_".Length..], stored, StringComparison.Ordinal);
            Assert.DoesNotContain(System.Text.Encoding.Latin1.GetString(key), stored, StringComparison.Ordinal);
            Assert.DoesNotContain(gateway.Logs.Lines, line => line.Contains(text["whsec_".Length..], StringComparison.Ordinal));
        }
        Assert.NotEqual(secret, rotated);
    }
}
