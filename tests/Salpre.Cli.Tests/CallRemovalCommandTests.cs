using System.Globalization;
using System.Text.Json;
using Salpre.Client.Tests.Infrastructure;

namespace Salpre.Cli.Tests;

/// <summary><c>salpre calls delete</c> and <c>salpre calls erase</c> against the real gateway, each test with an account of its own.</summary>
public sealed class CallRemovalCommandTests(GatewayServer gateway) : IClassFixture<GatewayServer>
{
    [Fact]
    public async Task Delete_says_so_and_the_call_is_then_not_found()
    {
        var account = await gateway.CreateAccountAsync();
        var stored = await gateway.SeedAsync(account.Id, 2);
        var variables = SalpreRun.For(gateway, account.Key);
        var callId = stored[0].CallId();

        var deleted = await SalpreRun.RunAsync(variables, ["calls", "delete", callId]);
        var get = await SalpreRun.RunAsync(variables, ["calls", "get", callId]);
        var again = await SalpreRun.RunAsync(variables, ["calls", "delete", callId]);
        var events = await SalpreRun.RunAsync(variables, ["events", "list", "--per-page", "100"]);

        Assert.Equal((ExitCodes.Success, "", $"Deleted call {callId}.\n"), (deleted.ExitCode, deleted.Out, deleted.Error.ReplaceLineEndings("\n")));
        Assert.Equal((ExitCodes.NotFound, ExitCodes.NotFound, ""), (get.ExitCode, again.ExitCode, again.Out));
        Assert.Matches(@"^salpre: Call not found\. Please check the call ID\. \(HTTP 404, not_found, request [^)]+\)\n$", again.Error.ReplaceLineEndings("\n"));
        Assert.Matches($@"call\.deleted\s+│\s+{callId}\s", events.Out);
    }

    [Fact]
    public async Task Delete_as_json_is_the_answers_data_and_takes_the_calls_number()
    {
        var account = await gateway.CreateAccountAsync();
        var stored = await gateway.SeedAsync(account.Id, 1);
        var variables = SalpreRun.For(gateway, account.Key);

        var result = await SalpreRun.RunAsync(variables, ["calls", "delete", stored[0].Call.CallNum.ToString(CultureInfo.InvariantCulture), "--format", "json"]);

        Assert.Equal((ExitCodes.Success, ""), (result.ExitCode, result.Error));
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal($$"""{"call_id":"{{stored[0].CallId()}}","deleted":true}""", JsonSerializer.Serialize(json.RootElement));
        Assert.Equal(ExitCodes.NotFound, (await SalpreRun.RunAsync(variables, ["calls", "get", stored[0].CallId()])).ExitCode);
    }

    [Fact]
    public async Task Delete_of_a_missing_call_exits_as_get_does()
    {
        var account = await gateway.CreateAccountAsync();
        var variables = SalpreRun.For(gateway, account.Key);

        var get = await SalpreRun.RunAsync(variables, ["calls", "get", "c999999"]);
        var delete = await SalpreRun.RunAsync(variables, ["calls", "delete", "c999999", "--format", "json"]);

        Assert.Equal((ExitCodes.NotFound, ExitCodes.NotFound, ""), (get.ExitCode, delete.ExitCode, delete.Out));
        Assert.Equal(get.Error.Split(", request ")[0], delete.Error.Split(", request ")[0]);
        Assert.StartsWith("salpre: Call not found. Please check the call ID. (HTTP 404, not_found", delete.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erase_counts_the_numbers_calls_and_a_bad_number_is_refused()
    {
        var account = await gateway.CreateAccountAsync();
        var stored = await gateway.SeedAsync(account.Id, 30);
        var variables = SalpreRun.For(gateway, account.Key);
        var phone = stored[0].Call.To;
        var expected = stored.Count(c => c.Call.To == phone || c.Call.From == phone);

        var erased = await SalpreRun.RunAsync(variables, ["calls", "erase", "--phone", phone]);
        var again = await SalpreRun.RunAsync(variables, ["calls", "erase", "--phone", phone, "--format", "json"]);
        var left = await SalpreRun.RunAsync(variables, ["calls", "list", "--per-page", "100", "--format", "csv"]);
        var refused = await SalpreRun.RunAsync(variables, ["calls", "erase", "--phone", "05321234567"]);
        var missing = await SalpreRun.RunAsync(variables, ["calls", "erase"]);

        Assert.Equal((ExitCodes.Success, "", $"Erased {expected} calls.\n"), (erased.ExitCode, erased.Out, erased.Error.ReplaceLineEndings("\n")));
        Assert.Equal((ExitCodes.Success, 0L), (again.ExitCode, JsonDocument.Parse(again.Out).RootElement.GetProperty("calls_erased").GetInt64()));
        Assert.Equal(30 - expected, left.OutLines.Count - 1);
        Assert.DoesNotContain(phone, left.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, refused.ExitCode);
        Assert.StartsWith("salpre: Invalid phone value: phone must be an E.164 number such as +905321234567 (HTTP 400, invalid_parameter, param phone", refused.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
    }
}
