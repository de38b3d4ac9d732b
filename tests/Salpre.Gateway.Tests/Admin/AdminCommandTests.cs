using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Salpre.Gateway.Admin;
using Salpre.Gateway.Keys;
using Salpre.Gateway.Tests.Infrastructure;

namespace Salpre.Gateway.Tests.Admin;

/// <summary>The operator's commands, run in process against the store a live gateway serves.</summary>
public sealed class AdminCommandTests(AdminCommandTests.Gateway gateway) : IClassFixture<AdminCommandTests.Gateway>
{
    public sealed class Gateway : GatewayFactory
    {
        public Gateway() => With("Authentication:RevocationCheckInterval", "00:00:00.100");
    }

    private sealed record Run(int Code, string Output, string Error)
    {
        public JsonNode Json => JsonNode.Parse(Output.TrimEnd().Split('\n')[^1])!;
    }

    private async Task<Run> RunAsync(params string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(gateway.StorageSettings)
            .Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AdminCommands.RunAsync(args, configuration, output, error, TestContext.Current.CancellationToken);
        return new Run(code, output.ToString(), error.ToString());
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(gateway.Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Creates_an_account_whose_first_key_works_at_once()
    {
        var run = await RunAsync("accounts", "create", "--name", "Acme Clinics", "--json");

        Assert.Equal(0, run.Code);
        var key = run.Json["secret_key"]!.GetValue<string>();
        Assert.True(ApiKeyFormat.IsWellFormed(key));
        Assert.Equal("read,write", run.Json["scopes"]!.GetValue<string>());
        Assert.True(run.Json["account_id"]!.GetValue<long>() > 0);
        Assert.True(run.Json["key_id"]!.GetValue<long>() > 0);
        Assert.Equal(200, (await gateway.Client(key).GetWireAsync("/api/gateway/v1/call/list")).Status);
    }

    [Fact]
    public async Task Creates_lists_and_revokes_keys()
    {
        var account = (await RunAsync("accounts", "create", "--name", "Keys Inc", "--json")).Json["account_id"]!.GetValue<long>();

        var created = await RunAsync("keys", "create", "--account", $"{account}", "--scopes", "read,ingest", "--name", "backend", "--json");
        var key = created.Json["secret_key"]!.GetValue<string>();
        var keyId = created.Json["key_id"]!.GetValue<long>();
        var listed = await RunAsync("keys", "list", "--account", $"{account}", "--json");
        var revoked = await RunAsync("keys", "revoke", $"{keyId}");
        var again = await RunAsync("keys", "revoke", $"{keyId}");

        Assert.Equal(0, created.Code);
        Assert.Equal("read,ingest", created.Json["scopes"]!.GetValue<string>());
        Assert.DoesNotContain(key, listed.Output, StringComparison.Ordinal);
        var row = listed.Json["keys"]!.AsArray().Single(k => k!["key_id"]!.GetValue<long>() == keyId)!;
        Assert.Equal(key[..11] + "...", row["prefix"]!.GetValue<string>());
        Assert.Equal("backend", row["name"]!.GetValue<string>());
        Assert.Null(row["revoked_at"]);
        Assert.Contains("PREFIX", listed.Output, StringComparison.Ordinal);
        Assert.Equal(0, revoked.Code);
        Assert.Equal(1, again.Code);
        Assert.Contains("no active key", again.Error, StringComparison.Ordinal);

        WireResponse response;
        var deadline = DateTime.UtcNow.AddSeconds(3);
        do
        {
            response = await gateway.Client(key).GetWireAsync("/api/gateway/v1/call/list");
        }
        while (response.Status == 200 && DateTime.UtcNow < deadline);
        Assert.Equal(401, response.Status);
        Assert.NotNull((await RunAsync("keys", "list", "--account", $"{account}", "--json")).Json["keys"]!.AsArray()
            .Single(k => k!["key_id"]!.GetValue<long>() == keyId)!["revoked_at"]);
    }

    [Theory]
    [InlineData("keys", "create", "--account", "999999")]
    [InlineData("keys", "create", "--account", "1", "--scopes", "admin")]
    [InlineData("keys", "create", "--account", "1", "--scopes", "")]
    [InlineData("accounts", "create", "--name", " ")]
    [InlineData("keys", "create")]
    [InlineData("import", "--account", "1", "--file", "/nonexistent/calls.ndjson")]
    [InlineData("bogus")]
    public async Task Refuses_bad_input_with_a_nonzero_exit(params string[] args)
    {
        await RunAsync("accounts", "create", "--name", "first");

        var run = await RunAsync(args);

        Assert.NotEqual(0, run.Code);
        Assert.NotEmpty(run.Error);
    }

    [Theory]
    [InlineData("forget", "--account", "1", "--phone", "+905321234567")]
    [InlineData("erase", "--account", "1")]
    [InlineData("acounts", "list")]
    [InlineData("accounts", "create", "--name", "x", "--bogus")]
    [InlineData("keys", "create")]
    public async Task A_usage_error_exits_2_and_lists_the_commands(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.Equal(2, run.Code);
        Assert.Contains("Commands: migrate, accounts, keys, devices, import, erase, simulate, dashboard, backup.", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    [Trait("Storage", "SqliteOnly")]
    public async Task An_unknown_command_beside_a_serving_gateway_is_refused_instead_of_serving()
    {
        await using var process = GatewayProcess.Start(gateway.Directory,
            new Dictionary<string, string> { ["Storage__ConnectionString"] = $"Data Source={gateway.DatabasePath}" }, "forget", "--account", "1");

        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Unrecognized command or argument 'forget'", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Another gateway is already serving", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Imports_ndjson_keeping_call_ids_and_changes_nothing_on_reimport()
    {
        var created = (await RunAsync("accounts", "create", "--name", "Importer", "--json")).Json;
        var account = created["account_id"]!.GetValue<long>();
        var key = created["secret_key"]!.GetValue<string>();
        var file = Write("history.ndjson", """
            {"call_id":"c123456","status":"completed","from":"salprebox:EXAMPLE_SERIAL_NO","to":"+905321234567","agent_id":5,"direction":"outbound","started_at":"2025-10-09T10:41:22Z","ended_at":"2025-10-09T10:44:04Z","duration_sec":162,"transcript":"Agent: Hello","variables":{"order":"A-1"},"audio_record_url":"https://example.com/a.mp3","extra_field":"ignored"}
            {"call_id":"123457","status":"failed","from":"salprebox:EXAMPLE_SERIAL_NO","to":"+905321234567","agent_id":"5","direction":"outbound","started_at":"2025-10-09T12:13:01+03:00","ended_at":"2025-10-09T09:13:11Z","duration_sec":10}

            {"status":"ringing","from":"salprebox:EXAMPLE_SERIAL_NO","to":"+905321234568","agent_id":7,"direction":"inbound","started_at":"2025-10-09T11:00:00Z"}
            """);

        var first = await RunAsync("import", "--account", $"{account}", "--file", file, "--json");
        var second = await RunAsync("import", "--account", $"{account}", "--file", file.Replace("history", "history", StringComparison.Ordinal), "--json");
        var details = await gateway.Client(key).GetWireAsync("/api/gateway/v1/call/c123456");
        var list = await gateway.Client(key).GetWireAsync("/api/gateway/v1/call/list?order=asc");

        Assert.Equal(0, first.Code);
        Assert.Equal(3, first.Json["imported"]!.GetValue<long>());
        Assert.Equal(0, second.Code);
        Assert.Equal(1, second.Json["imported"]!.GetValue<long>()); // the line without a call_id cannot be recognised
        Assert.Equal(2, second.Json["already_present"]!.GetValue<long>());
        Assert.Equal(
            """{"status":"success","data":{"call_id":"c123456","status":"completed","from":"salprebox:EXAMPLE_SERIAL_NO","to":"+905321234567","agent_id":5,"direction":"outbound","started_at":"2025-10-09T10:41:22Z","ended_at":"2025-10-09T10:44:04Z","duration_sec":162,"audio_record_url":"https://example.com/a.mp3","transcript":"Agent: Hello","variables":{"order":"A-1"}}}""",
            details.Body);
        Assert.Equal(["c123457", "c123456"], list.CallIds.Take(2));
        Assert.All(list.CallIds.Skip(2), id => Assert.True(long.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture) > 123457));
    }

    [Fact]
    public async Task Refuses_a_file_with_a_bad_line_writing_none_of_it_unless_told_to_skip()
    {
        var created = (await RunAsync("accounts", "create", "--name", "Strict", "--json")).Json;
        var account = created["account_id"]!.GetValue<long>();
        var key = created["secret_key"]!.GetValue<string>();
        var file = Write("mixed.ndjson", """
            {"call_id":"c1","status":"completed","from":"salprebox:A","to":"+905321234567","agent_id":1,"direction":"outbound","started_at":"2025-10-01T10:00:00Z","ended_at":"2025-10-01T10:01:00Z","duration_sec":50}
            {"call_id":"c2","status":"done","from":"salprebox:A","to":"+905321234567","agent_id":1,"direction":"outbound","started_at":"2025-10-01T11:00:00Z"}
            {"call_id":"c3","status":"completed","from":"salprebox:A","to":"0532 123 45 67","agent_id":1,"direction":"outbound","started_at":"2025-10-01T12:00:00Z","ended_at":"2025-10-01T12:01:00Z","duration_sec":50}
            {"call_id":"c4","status":"completed","from":"salprebox:A","to":"+905321234567","agent_id":1,"direction":"outbound","started_at":"2025-10-01T13:00:00Z"}
            {"call_id":"c5","status":"busy","from":"salprebox:A","to":"+905321234567","agent_id":1,"direction":"outbound","started_at":"2025-10-01T14:00:00Z","ended_at":"2025-10-01T13:00:00Z","duration_sec":0}
            {"call_id":"c6" "status":"busy"}
            {"call_id":"c7","status":"initiated","from":"salprebox:A","to":"+905321234567","agent_id":1,"direction":"outbound","started_at":"2025-10-01T15:00:00Z"}
            """);

        var strict = await RunAsync("import", "--account", $"{account}", "--file", file);
        var afterStrict = await gateway.Client(key).GetWireAsync("/api/gateway/v1/call/list?include_total=true");
        var lenient = await RunAsync("import", "--account", $"{account}", "--file", file, "--skip-invalid", "--json");
        var afterLenient = await gateway.Client(key).GetWireAsync("/api/gateway/v1/call/list");

        Assert.Equal(1, strict.Code);
        Assert.Contains("line 2: status must be one of", strict.Error, StringComparison.Ordinal);
        Assert.Contains("line 3: to must be an E.164 number", strict.Error, StringComparison.Ordinal);
        Assert.Contains("line 4: a completed call needs ended_at and duration_sec", strict.Error, StringComparison.Ordinal);
        Assert.Contains("line 5: ended_at is before started_at", strict.Error, StringComparison.Ordinal);
        Assert.Contains("line 6: not valid JSON", strict.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was imported", strict.Error, StringComparison.Ordinal);
        Assert.Equal(0, afterStrict.Meta["total"]!.GetValue<long>());
        Assert.Equal(0, lenient.Code);
        Assert.Equal(2, lenient.Json["imported"]!.GetValue<long>());
        Assert.Equal(5, lenient.Json["invalid_lines"]!.GetValue<long>());
        Assert.Equal(["c7", "c1"], afterLenient.CallIds);
    }

    [Fact]
    public async Task Imports_csv_with_quoted_fields()
    {
        var created = (await RunAsync("accounts", "create", "--name", "Csv", "--json")).Json;
        var file = Write("calls.csv",
            "call_id,status,from,to,agent_id,direction,started_at,ended_at,duration_sec,audio_record_url,transcript,variables\n" +
            "c77,completed,salprebox:B,+905551112233,3,outbound,2025-10-01T10:00:00Z,2025-10-01T10:01:00Z,50,,\"Agent: Hi, there\nCustomer: \"\"Yes\"\"\",\"{\"\"k\"\":1}\"\n" +
            ",no-answer,salprebox:B,+905551112234,3,inbound,2025-10-01T11:00:00Z,2025-10-01T11:00:30Z,0,,,\n");

        var run = await RunAsync("import", "--account", $"{created["account_id"]}", "--file", file, "--json");
        var details = await gateway.Client(created["secret_key"]!.GetValue<string>()).GetWireAsync("/api/gateway/v1/call/c77");

        Assert.Equal(0, run.Code);
        Assert.Equal(2, run.Json["imported"]!.GetValue<long>());
        Assert.Equal("Agent: Hi, there\nCustomer: \"Yes\"", details.Json["data"]!["transcript"]!.GetValue<string>());
        Assert.Equal(1, details.Json["data"]!["variables"]!["k"]!.GetValue<int>());
    }

    [Fact]
    public async Task Adds_lists_and_removes_boxes_one_serial_to_one_account()
    {
        var first = (await RunAsync("accounts", "create", "--name", "Boxes A", "--json")).Json;
        var second = (await RunAsync("accounts", "create", "--name", "Boxes B", "--json")).Json;
        var serial = $"ADMIN-{Guid.NewGuid():N}"[..18];

        var added = await RunAsync("devices", "add", "--account", $"{first["account_id"]}", "--serial", $"salprebox:{serial}", "--name", "Reception", "--json");
        var taken = await RunAsync("devices", "add", "--account", $"{second["account_id"]}", "--serial", serial, "--name", "Thief");
        var listed = await RunAsync("devices", "list", "--account", $"{first["account_id"]}");
        var fromApi = await gateway.Client(first["secret_key"]!.GetValue<string>()).GetWireAsync("/api/gateway/v1/salprebox/device-list");
        var removed = await RunAsync("devices", "remove", $"{added.Json["device_id"]}");
        var again = await RunAsync("devices", "remove", $"{added.Json["device_id"]}");
        var afterRemoval = await gateway.Client(first["secret_key"]!.GetValue<string>()).GetWireAsync("/api/gateway/v1/salprebox/device-list");

        Assert.Equal(0, added.Code);
        Assert.Equal(1, taken.Code);
        Assert.Contains("already registered", taken.Error, StringComparison.Ordinal);
        Assert.Contains($"salprebox:{serial}", listed.Output, StringComparison.Ordinal);
        Assert.Contains("never", listed.Output, StringComparison.Ordinal);
        Assert.Equal(serial, fromApi.Data.Single()!["serial_no"]!.GetValue<string>());
        Assert.Equal("Reception", fromApi.Data.Single()!["device_name"]!.GetValue<string>());
        Assert.Equal(0, removed.Code);
        Assert.Equal(1, again.Code);
        Assert.Equal(404, afterRemoval.Status);
    }

    [Fact]
    public async Task Says_the_schema_is_current_when_migrating_a_live_file()
    {
        var run = await RunAsync("migrate");

        Assert.Equal(0, run.Code);
        Assert.Contains("up to date", run.Output, StringComparison.Ordinal);
    }
}
