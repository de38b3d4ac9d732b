using System.Text.Json;
using Salpre.Client.Tests.Infrastructure;
using Stored = Salpre.Storage.Calls;

namespace Salpre.Cli.Tests;

/// <summary><c>salpre</c> end to end in process against the real gateway: output parsed, exit codes checked.</summary>
public sealed class CommandTests(CommandTests.Seeded gateway) : IClassFixture<CommandTests.Seeded>
{
    public sealed class Seeded : GatewayServer
    {
        public TestAccount Account { get; private set; } = null!;
        public IReadOnlyList<Stored.CallDetailsRecord> Stored { get; private set; } = [];
        public string Serial { get; private set; } = "";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Account = await CreateAccountAsync();
            Stored = await SeedAsync(Account.Id, 300);
            Serial = await AddBoxAsync(Account.Id);
        }

        public Dictionary<string, string> Variables => SalpreRun.For(this, Account.Key);
    }

    private List<string> ExpectedIds(Func<Stored.CallDetailsRecord, bool>? filter = null, bool ascending = false) =>
        [.. gateway.Stored.Where(filter ?? (_ => true)).InListOrder(ascending).Select(c => c.CallId())];

    [Fact]
    public async Task List_as_json_is_the_page_in_the_APIs_shape()
    {
        var result = await SalpreRun.RunAsync(gateway.Variables, ["calls", "list", "--per-page", "20", "--total", "--format", "json"]);

        Assert.Equal((ExitCodes.Success, ""), (result.ExitCode, result.Error));
        using var json = JsonDocument.Parse(result.Out);
        var ids = json.RootElement.GetProperty("data").EnumerateArray().Select(call => call.GetProperty("call_id").GetString()).ToList();
        Assert.Equal(ExpectedIds().Take(20), ids);
        var meta = json.RootElement.GetProperty("meta");
        Assert.Equal((20, 1, true, 300), (meta.GetProperty("per_page").GetInt32(), meta.GetProperty("page").GetInt32(), meta.GetProperty("has_next").GetBoolean(), meta.GetProperty("total").GetInt32()));
        Assert.False(string.IsNullOrEmpty(meta.GetProperty("next_cursor").GetString()));
    }

    [Fact]
    public async Task List_applies_filters_and_pages()
    {
        var result = await SalpreRun.RunAsync(gateway.Variables, [
            "calls", "list", "--status", "completed,busy", "--status", "failed", "--agent", "1,3", "--after", "2025-10-02",
            "--order", "asc", "--per-page", "5", "--page", "2", "--format", "json",
        ]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var ids = json.RootElement.GetProperty("data").EnumerateArray().Select(call => call.GetProperty("call_id").GetString()).ToList();
        var after = new DateTimeOffset(2025, 10, 2, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var expected = ExpectedIds(
            c => c.Call.Status is Stored.CallStatus.Completed or Stored.CallStatus.Busy or Stored.CallStatus.Failed && c.Call.AgentId is 1 or 3 && c.Call.StartedAt >= after,
            ascending: true);
        Assert.Equal(expected.Skip(5).Take(5), ids);
    }

    [Fact]
    public async Task List_as_csv_has_the_import_header_and_one_row_a_call()
    {
        var result = await SalpreRun.RunAsync(gateway.Variables, ["calls", "list", "--per-page", "100", "--format", "csv"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("call_id,status,from,to,agent_id,direction,started_at,ended_at,duration_sec", result.OutLines[0]);
        Assert.Equal(ExpectedIds().Take(100), result.OutLines.Skip(1).Select(line => line.Split(',')[0]));
        var first = gateway.Stored.InListOrder().First().Call;
        Assert.Equal($"{first.To}", result.OutLines[1].Split(',')[3]);
    }

    [Fact]
    public async Task List_as_a_table_shows_the_calls_and_says_how_to_go_on()
    {
        var result = await SalpreRun.RunAsync(gateway.Variables, ["calls", "list"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.All(ExpectedIds().Take(10), id => Assert.Contains($" {id} ", result.Out, StringComparison.Ordinal));
        Assert.DoesNotContain(ExpectedIds()[10], result.Out, StringComparison.Ordinal);
        Assert.StartsWith("Page 1: 10 calls. Next page: --cursor ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cursor_the_table_gives_continues_the_list()
    {
        var first = await SalpreRun.RunAsync(gateway.Variables, ["calls", "list", "--per-page", "3"]);
        var cursor = first.Error.Split("--cursor ")[1].Trim();

        var next = await SalpreRun.RunAsync(gateway.Variables, ["calls", "list", "--per-page", "3", "--cursor", cursor, "--format", "csv"]);

        Assert.Equal(ExpectedIds().Skip(3).Take(3), next.OutLines.Skip(1).Select(line => line.Split(',')[0]));
    }

    [Fact]
    public async Task Get_and_logs_show_a_call()
    {
        var stored = gateway.Stored.First(c => c.Call.Status == Stored.CallStatus.Completed);

        var details = await SalpreRun.RunAsync(gateway.Variables, ["calls", "get", stored.CallId(), "--format", "json"]);
        var table = await SalpreRun.RunAsync(gateway.Variables, ["calls", "get", stored.Call.CallNum.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var logs = await SalpreRun.RunAsync(gateway.Variables, ["calls", "logs", stored.CallId(), "--format", "json"]);

        Assert.Equal((0, 0, 0), (details.ExitCode, table.ExitCode, logs.ExitCode));
        using var json = JsonDocument.Parse(details.Out);
        Assert.Equal(stored.AudioRecordUrl, json.RootElement.GetProperty("audio_record_url").GetString());
        Assert.Equal(4, json.RootElement.GetProperty("variables").GetProperty("score").GetInt32());
        Assert.All(stored.Transcript!.Split('\n'), line => Assert.Contains(line, table.Out, StringComparison.Ordinal));
        using var entries = JsonDocument.Parse(logs.Out);
        Assert.Equal("completed", entries.RootElement.EnumerateArray().Last().GetProperty("status").GetString());
    }

    [Fact]
    public async Task Make_prints_the_new_call_id_and_devices_list_shows_the_box()
    {
        var account = await gateway.CreateAccountAsync();
        var serial = await gateway.AddBoxAsync(account.Id);
        var variables = SalpreRun.For(gateway, account.Key);

        var made = await SalpreRun.RunAsync(variables, ["calls", "make", "--from", $"salprebox:{serial}", "--to", "+905321234567", "--agent", "7"]);
        var devices = await SalpreRun.RunAsync(variables, ["devices", "list", "--format", "json"]);
        var table = await SalpreRun.RunAsync(variables, ["devices", "list"]);

        Assert.Equal(ExitCodes.Success, made.ExitCode);
        var callId = Assert.Single(made.OutLines);
        Assert.Matches("^c[0-9]+$", callId);
        var listed = await SalpreRun.RunAsync(variables, ["calls", "get", callId, "--format", "json"]);
        Assert.Equal(7, JsonDocument.Parse(listed.Out).RootElement.GetProperty("agent_id").GetInt32());
        Assert.Equal(serial, JsonDocument.Parse(devices.Out).RootElement[0].GetProperty("serial_no").GetString());
        Assert.Contains(serial, table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_key_and_address_may_come_from_options_instead_of_the_environment()
    {
        var result = await SalpreRun.RunAsync(new Dictionary<string, string>(), [
            "calls", "list", "--per-page", "1", "--format", "csv", "--api-key", gateway.Account.Key, "--base-url", gateway.BaseAddress.ToString(),
        ]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(ExpectedIds()[0], result.OutLines[1].Split(',')[0]);
    }

    [Fact]
    public async Task Without_a_key_it_is_a_usage_error_before_any_request()
    {
        var result = await SalpreRun.RunAsync(new Dictionary<string, string> { ["SALPRE_BASE_URL"] = gateway.BaseAddress.ToString() }, ["calls", "list"]);

        Assert.Equal((ExitCodes.Usage, ""), (result.ExitCode, result.Out));
        Assert.Equal("salpre: no API key: set SALPRE_API_KEY or pass --api-key\n", result.Error.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("calls", "list", "--status", "nope")]
    [InlineData("calls", "list", "--after", "yesterday")]
    [InlineData("calls", "list", "--format", "xml")]
    [InlineData("calls", "make", "--to", "+905321234567")]
    [InlineData("calls", "frobnicate")]
    public async Task A_wrong_command_line_is_a_usage_error(params string[] args)
    {
        var result = await SalpreRun.RunAsync(gateway.Variables, args);

        Assert.Equal((ExitCodes.Usage, ""), (result.ExitCode, result.Out));
        Assert.StartsWith("salpre: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task API_failures_are_one_line_on_stderr_with_their_exit_code()
    {
        var notFound = await SalpreRun.RunAsync(gateway.Variables, ["calls", "get", "c999999"]);
        var badKey = await SalpreRun.RunAsync(SalpreRun.For(gateway, "slp_sk_wrong"), ["calls", "list"]);
        var invalid = await SalpreRun.RunAsync(gateway.Variables, ["calls", "list", "--per-page", "500"]);

        Assert.Equal((ExitCodes.NotFound, ""), (notFound.ExitCode, notFound.Out));
        Assert.Matches(@"^salpre: Call not found\. Please check the call ID\. \(HTTP 404, not_found, request [^)]+\)\n$", notFound.Error.ReplaceLineEndings("\n"));
        Assert.Equal(ExitCodes.Unauthorized, badKey.ExitCode);
        Assert.StartsWith("salpre: Unauthorized. Missing or invalid account-secret-key (HTTP 401, unauthorized", badKey.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, invalid.ExitCode);
        Assert.StartsWith("salpre: Invalid per_page value (HTTP 400, invalid_parameter, param per_page", invalid.Error, StringComparison.Ordinal);
    }
}
