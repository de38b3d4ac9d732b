using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Salpre.Gateway.Admin;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Tests.Calls.Removal;

/// <summary>
/// Erasing a person (POST /erasures and the admin command): every call of the number on either side goes, and the
/// number is in no answer, no log line, no event and, on SQLite, no byte of the database's files.
/// </summary>
public sealed class ErasureTests(RemovalGateway gateway) : IClassFixture<RemovalGateway>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Calls of the person imported (one inbound from them), and calls of others.</summary>
    private async Task SeedAsync(long accountId, string person)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        CallDetailsRecord Call(string from, string to, long ago, CallDirection direction = CallDirection.Outbound) =>
            new(new CallRecord(0, CallStatus.Completed, from, to, 4, direction, now - ago, now - ago + 30, 30), null, $"talk with {to}", null);
        await gateway.SeedAsync(accountId, [
            Call("salprebox:A", person, 9000),
            Call(person, "+905320000001", 8000, CallDirection.Inbound),
            Call("salprebox:A", "+905320000002", 7000),
        ]);
    }

    [Fact]
    public async Task An_erasure_takes_every_call_of_the_number_and_nothing_else()
    {
        const string Person = "+905552220001";
        var parties = await gateway.PartiesAsync();
        var other = await gateway.PartiesAsync();
        await SeedAsync(parties.Account.Id, Person);
        await SeedAsync(other.Account.Id, Person);
        var placed = await parties.CompletedCallAsync(Person);
        var (_, reader) = await gateway.CreateKeyAsync(parties.Account.Id, KeyScopes.Read);
        var before = await gateway.ScrapeAsync();

        foreach (var bad in new[] { """{"phone":"05552220001"}""", """{"phone":"+0555"}""", """{"phone":""}""", """{}""", """{"phone":905552220001}""" })
        {
            var refused = await parties.Api.PostJsonAsync("/api/gateway/v1/erasures", bad);
            Assert.True(refused.Status == 400 && WireExtensions.IsEnvelope(refused.Body), $"{bad}: {refused.Status} {refused.Body}");
        }
        Assert.Equal(403, (await gateway.Client(reader).PostJsonAsync("/api/gateway/v1/erasures", $$"""{"phone":"{{Person}}"}""")).Status);
        Assert.Equal(4, (await parties.Api.GetWireAsync("/api/gateway/v1/call/list")).CallIds.Count);

        var erased = await parties.EraseAsync(Person);

        Assert.Equal(200, erased.Status);
        Assert.Equal("""{"status":"success","data":{"calls_erased":3}}""", erased.Body);
        var left = await parties.Api.GetWireAsync("/api/gateway/v1/call/list");
        Assert.Single(left.CallIds);
        Assert.DoesNotContain(Person, left.Body, StringComparison.Ordinal);
        Assert.Equal(404, (await parties.Api.GetWireAsync($"/api/gateway/v1/call/{placed}")).Status);
        Assert.Equal(3, (await other.Api.GetWireAsync("/api/gateway/v1/call/list")).CallIds.Count);
        await gateway.SettleEventsAsync();
        var feed = await parties.Api.GetWireAsync("/api/gateway/v1/events?per_page=100");
        Assert.DoesNotContain(Person, feed.Body, StringComparison.Ordinal);
        Assert.Equal(3, feed.Data.Count(e => e!["type"]!.GetValue<string>() == "call.deleted"));
        Assert.Empty(await RollupDrift.FindAsync(gateway));

        var after = await gateway.ScrapeUntilAsync(s => s.Since(before, "salpre_gateway_calls_removed_total", ("reason", "erasure")) >= 3);
        Assert.Equal(3, after.Since(before, "salpre_gateway_calls_removed_total", ("reason", "erasure")));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains($"Erased 3 calls of account {parties.Account.Id} (key {parties.Account.KeyId}).", StringComparison.Ordinal));
        Assert.DoesNotContain(Person, gateway.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Person[1..], gateway.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_command_erases_beside_the_serving_gateway_and_prints_the_count()
    {
        const string Person = "+905552220002";
        var parties = await gateway.PartiesAsync();
        await SeedAsync(parties.Account.Id, Person);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(gateway.StorageSettings).Build();

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AdminCommands.RunAsync(["erase", "--account", $"{parties.Account.Id}", "--phone", Person, "--json"], configuration, output, error, Ct);

        Assert.True(code == 0, error.ToString());
        var lines = output.ToString().TrimEnd().Split('\n');
        Assert.Equal($"Erased 2 calls of account {parties.Account.Id}.", lines[0]);
        Assert.Equal("""{"calls_erased":2}""", lines[^1]);
        Assert.DoesNotContain(Person, output.ToString(), StringComparison.Ordinal);
        Assert.Single((await parties.Api.GetWireAsync("/api/gateway/v1/call/list")).CallIds);

        using var badOutput = new StringWriter();
        using var badError = new StringWriter();
        Assert.Equal(1, await AdminCommands.RunAsync(["erase", "--account", $"{parties.Account.Id}", "--phone", "5552220002"], configuration, badOutput, badError, Ct));
        Assert.Contains("--phone must be an E.164 number", badError.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Storage", "SqliteOnly")]
    public async Task After_an_erasure_the_number_is_in_no_byte_of_the_database_or_its_wal()
    {
        const string Person = "+905552229999";
        var parties = await gateway.PartiesAsync();
        // A receiver that answers with what it got: the deliveries' recorded answers hold the number too.
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (received, context, ct) => context.Response.WriteAsync(received.Text, ct);
        Assert.Equal(200, (await parties.Api.PostJsonAsync("/api/gateway/v1/webhooks", $$"""{"url":"{{receiver.Url}}"}""")).Status);
        await SeedAsync(parties.Account.Id, Person);
        for (var i = 0; i < 5; i++)
        {
            await parties.CompletedCallAsync(Person, idempotencyKey: $"erase-me-{i}");
        }
        await receiver.WaitForCountAsync(15);
        await Task.Delay(500, Ct); // the attempts' answers are recorded just after they arrive
        Assert.Contains(Person, await gateway.ReadStoredBytesAsync(), StringComparison.Ordinal); // the scan would see it

        var erased = await parties.EraseAsync(Person);

        Assert.Equal(7, erased.Json["data"]!["calls_erased"]!.GetValue<long>());
        var stored = await gateway.ReadStoredBytesAsync();
        Assert.DoesNotContain(Person, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Person[1..], stored, StringComparison.Ordinal);
        Assert.Contains("+905320000002", stored, StringComparison.Ordinal); // what was not erased is still there to see
    }
}
