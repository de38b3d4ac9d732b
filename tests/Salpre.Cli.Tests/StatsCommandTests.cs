using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Salpre.Cli.Output;
using Salpre.Client.Serialization;
using Salpre.Client.Tests.Infrastructure;
using Stored = Salpre.Storage.Calls;

namespace Salpre.Cli.Tests;

/// <summary><c>salpre calls stats</c> against the real gateway: each format checked against the API's own answer and the seeded calls.</summary>
public sealed class StatsCommandTests(CommandTests.Seeded gateway) : IClassFixture<CommandTests.Seeded>
{
    private const string MeasuresHeader = "calls,answered,answer_rate,talk_sec_total,talk_sec_avg,initiated,ringing,in-progress,completed,busy,no-answer,failed,canceled";

    // The 300 seeded calls start at 2025-10-01T00:00:00Z and span about five days.
    private static readonly string[] s_week = ["--after", "2025-10-01", "--before", "2025-10-08"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The endpoint's answer as plain JSON, without the client.</summary>
    private async Task<JsonNode> RawAsync(string query)
    {
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        http.DefaultRequestHeaders.Add("account-secret-key", gateway.Account.Key);
        using var response = await http.GetAsync($"/api/gateway/v1/call/stats?{query}", Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!;
    }

    private static long Seconds(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture).ToUnixTimeSeconds();

    private List<Stored.CallRecord> Between(string after, string before) =>
        [.. gateway.Stored.Select(c => c.Call).Where(c => c.StartedAt >= Seconds(after) && c.StartedAt < Seconds(before))];

    [Fact]
    public async Task Json_is_the_APIs_data_and_meta_with_dates_in_the_zone()
    {
        var result = await SalpreRun.RunAsync(gateway.Variables, ["calls", "stats", "--group-by", "day", "--group-by", "status", "--tz", "Europe/Istanbul", .. s_week, "--format", "json"]);
        // The API reads date-only bounds in tz itself: the same range as the dates the CLI turned into instants.
        var raw = await RawAsync("started_after=2025-10-01&started_before=2025-10-08&tz=Europe/Istanbul&group_by=day,status");

        Assert.Equal((ExitCodes.Success, ""), (result.ExitCode, result.Error));
        var json = JsonNode.Parse(result.Out)!;
        Assert.True(JsonNode.DeepEquals(raw["data"], json["data"]), "data differs from the API's");
        Assert.True(JsonNode.DeepEquals(raw["meta"], json["meta"]), json["meta"]!.ToJsonString());
        Assert.Equal("2025-09-30T21:00:00Z", json["meta"]!["started_after"]!.GetValue<string>());
        Assert.Equal(7 * json["data"]!["groups"]!.AsArray().Select(g => g!["status"]!.GetValue<string>()).Distinct().Count(), json["data"]!["groups"]!.AsArray().Count);
        Assert.Equal(Between("2025-09-30T21:00:00Z", "2025-10-07T21:00:00Z").Count, json["data"]!["totals"]!["calls"]!.GetValue<int>());
        Assert.Equal(["day", "status"], json["data"]!["groups"]![0]!.AsObject().Select(p => p.Key).Take(2));
    }

    [Fact]
    public async Task Csv_has_the_dimension_columns_then_the_measures_and_a_row_a_group()
    {
        var result = await SalpreRun.RunAsync(gateway.Variables, ["calls", "stats", "--group-by", "agent_id", .. s_week, "--format", "csv"]);
        var raw = await RawAsync("started_after=2025-10-01&started_before=2025-10-08&group_by=agent_id");

        Assert.Equal((ExitCodes.Success, ""), (result.ExitCode, result.Error));
        Assert.Equal($"agent_id,{MeasuresHeader}", result.OutLines[0]);
        var rows = result.OutLines.Skip(1).Select(line => line.Split(',')).ToList();
        var calls = Between("2025-10-01T00:00:00Z", "2025-10-08T00:00:00Z");
        Assert.Equal(calls.Select(c => c.AgentId).Distinct().Count(), rows.Count);
        foreach (var row in rows)
        {
            var agent = long.Parse(row[0], CultureInfo.InvariantCulture);
            var mine = calls.Where(c => c.AgentId == agent).ToList();
            Assert.Equal(mine.Count, int.Parse(row[1], CultureInfo.InvariantCulture));
            Assert.Equal(mine.Count(c => c.Status == Stored.CallStatus.Completed), int.Parse(row[9], CultureInfo.InvariantCulture));
            Assert.Equal(mine.Count(c => c.Status == Stored.CallStatus.NoAnswer), int.Parse(row[11], CultureInfo.InvariantCulture));
            Assert.Equal(mine.Sum(c => (long)(c.DurationSec ?? 0)), long.Parse(row[4], CultureInfo.InvariantCulture));
            var group = raw["data"]!["groups"]!.AsArray().Single(g => g!["agent_id"]!.GetValue<long>() == agent)!;
            Assert.Equal(group["answer_rate"]?.ToJsonString() ?? "", row[3]);
            Assert.Equal(group["talk_sec_avg"]?.ToJsonString() ?? "", row[5]);
        }
        // Rows in the API's order: calls descending.
        Assert.Equal(raw["data"]!["groups"]!.AsArray().Select(g => g!["agent_id"]!.ToJsonString()), rows.Select(row => row[0]));
    }

    [Fact]
    public async Task Csv_without_groups_is_one_row_of_totals()
    {
        var result = await SalpreRun.RunAsync(gateway.Variables, ["calls", "stats", .. s_week, "--status", "busy", "--format", "csv"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(2, result.OutLines.Count);
        Assert.Equal(MeasuresHeader, result.OutLines[0]);
        var busy = Between("2025-10-01T00:00:00Z", "2025-10-08T00:00:00Z").Count(c => c.Status == Stored.CallStatus.Busy);
        Assert.Equal($"{busy},0,0,0,,0,0,0,0,{busy},0,0,0", result.OutLines[1]);
    }

    /// <summary>The cells of a table's rows (header, rows, footer), without its borders.</summary>
    private static List<string[]> Cells(CliResult result) =>
    [
        .. result.OutLines
            .Where(line => line.StartsWith('│'))
            .Select(line => line.Split('│', StringSplitOptions.TrimEntries)[1..^1]),
    ];

    [Fact]
    public async Task The_table_has_a_row_a_group_and_the_totals_as_its_footer()
    {
        var result = await SalpreRun.RunAsync(gateway.Variables, ["calls", "stats", "--group-by", "direction", .. s_week]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var rows = Cells(result);
        var calls = Between("2025-10-01T00:00:00Z", "2025-10-08T00:00:00Z");
        Assert.Equal(["direction", "calls", "answered", "answer rate", "avg talk"], rows[0][..5]);
        var byName = rows.Skip(1).ToDictionary(row => row[0]);
        Assert.Equal(["outbound", "inbound", "total"], byName.Keys);
        Assert.Equal(calls.Count.ToString(CultureInfo.InvariantCulture), byName["total"][1]);
        Assert.Equal(calls.Count(c => c.Direction == Stored.CallDirection.Inbound).ToString(CultureInfo.InvariantCulture), byName["inbound"][1]);
        var ended = calls.Where(c => c.EndedAt is not null).ToList();
        var answered = calls.Count(c => c.Status == Stored.CallStatus.Completed);
        Assert.Equal((100 * Math.Round((double)answered / ended.Count, 4)).ToString("0.0", CultureInfo.InvariantCulture) + "%", byName["total"][3]);
        // Only the statuses some call has get a column; this seed has all eight.
        Assert.Equal(StatsCsv.Statuses.Select(s => s.ToWire()), rows[0][5..]);
        Assert.StartsWith($"{calls.Count} calls started from 2025-10-01T00:00:00Z to 2025-10-08T00:00:00Z, 2 groups by direction in UTC.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_table_shows_only_the_statuses_some_call_has_and_without_groups_one_row()
    {
        var result = await SalpreRun.RunAsync(gateway.Variables, ["calls", "stats", .. s_week, "--status", "busy,failed"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var rows = Cells(result);
        var calls = Between("2025-10-01T00:00:00Z", "2025-10-08T00:00:00Z");
        Assert.Equal(["calls", "answered", "answer rate", "avg talk", "busy", "failed"], rows[0]);
        Assert.Equal(
            [$"{calls.Count(c => c.Status is Stored.CallStatus.Busy or Stored.CallStatus.Failed)}", "0", "0.0%", "-",
             $"{calls.Count(c => c.Status == Stored.CallStatus.Busy)}", $"{calls.Count(c => c.Status == Stored.CallStatus.Failed)}"],
            Assert.Single(rows.Skip(1)));
    }

    [Fact]
    public async Task Filters_pass_through()
    {
        var box = gateway.Stored[0].Call.From;
        var result = await SalpreRun.RunAsync(gateway.Variables, [
            "calls", "stats", .. s_week, "--status", "completed,busy", "--agent", "1", "--agent", "3", "--direction", "outbound",
            "--from", box, "--min-duration", "0", "--max-duration", "600", "--group-by", "status", "--format", "json",
        ]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var json = JsonNode.Parse(result.Out)!;
        var expected = Between("2025-10-01T00:00:00Z", "2025-10-08T00:00:00Z")
            .Where(c => c.Status is Stored.CallStatus.Completed or Stored.CallStatus.Busy && c.AgentId is 1 or 3)
            .Where(c => c.Direction == Stored.CallDirection.Outbound && c.From == box && c.DurationSec <= 600)
            .ToList();
        Assert.NotEmpty(expected);
        Assert.True(expected.Count < gateway.Stored.Count / 4);
        Assert.Equal(expected.Count, json["data"]!["totals"]!["calls"]!.GetValue<int>());
        Assert.Equal(expected.Count(c => c.Status == Stored.CallStatus.Busy), json["data"]!["totals"]!["by_status"]!["busy"]!.GetValue<int>());
        Assert.Equal(expected.Select(c => Stored.CallStatuses.ToWire(c.Status)).Distinct().Order(), json["data"]!["groups"]!.AsArray().Select(g => g!["status"]!.GetValue<string>()).Order());
    }

    [Theory]
    [InlineData("calls", "stats", "--group-by", "nope")]
    [InlineData("calls", "stats", "--group-by", "day,Day")]
    [InlineData("calls", "stats", "--order", "asc")]
    [InlineData("calls", "stats", "--per-page", "5")]
    [InlineData("calls", "stats", "--format", "ndjson")]
    [InlineData("calls", "stats", "--tz", "Mars/Olympus_Mons", "--after", "2025-10-01")]
    public async Task A_wrong_command_line_is_a_usage_error(params string[] args)
    {
        var result = await SalpreRun.RunAsync(gateway.Variables, args);

        Assert.Equal((ExitCodes.Usage, ""), (result.ExitCode, result.Out));
        Assert.StartsWith("salpre: ", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("group_by", "--group-by", "day,status,from")]
    [InlineData("group_by", "--group-by", "day", "--group-by", "day")]
    [InlineData("tz", "--tz", "Mars/Olympus_Mons")]
    public async Task What_the_API_refuses_exits_1_naming_the_parameter(string param, params string[] args)
    {
        var result = await SalpreRun.RunAsync(gateway.Variables, ["calls", "stats", .. args]);

        Assert.Equal((ExitCodes.Failed, ""), (result.ExitCode, result.Out));
        Assert.StartsWith($"salpre: Invalid {param} value (HTTP 400, invalid_parameter, param {param}, request ", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(170.5, "2:51")]
    [InlineData(59.4, "0:59")]
    [InlineData(3723, "1:02:03")]
    [InlineData(90000, "25:00:00")]
    public void Talk_times_read_as_clock_durations(double seconds, string text) => Assert.Equal(text, Tables.Duration(seconds));
}
