using System.CommandLine;
using System.Text.Json;
using Salpre.Cli.Output;
using Salpre.Client;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre calls stats</c>: totals and groups of the matching calls, as a table, JSON or CSV.</summary>
public static class CallsStatsCommand
{
    public static Command Create(CliContext context)
    {
        var filters = new CallFilters(dateZone: "the start of that day in --tz");
        var tz = new Option<string?>("--tz")
        {
            Description = "IANA time zone (e.g. Europe/Istanbul) of the time groups, of date bounds and of the default range (default UTC).",
        };
        var groupBy = new Option<CallStatsDimension[]>("--group-by")
        {
            Description = $"One or two dimensions, comma-separated or repeated: {string.Join(", ", WireNames.Dimensions)}.",
            CustomParser = result => CallFilters.ParseList(result, "--group-by",
                text => WireNames.TryParseDimension(text, out var dimension) ? dimension : (CallStatsDimension?)null, WireNames.Dimensions),
        };
        var format = CliContext.Format("table", "json", "csv");
        var command = new Command("stats", "Count calls: totals, and groups by time, agent, status, direction or box (default: the zone's last 30 days).")
        {
            groupBy, tz, format,
        };
        filters.AddFiltersTo(command);

        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var environment = context.Environment;
            var zoneId = parse.GetValue(tz);
            var dateZone = TimeZoneInfo.Utc;
            // A date bound means that day in the zone of the groups, as the API reads one; finding its start needs the
            // zone here. Instants need nothing, and the API judges the zone itself.
            if (zoneId is not null && filters.HasDateBound(parse) && !TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out dateZone!))
            {
                await environment.Error.WriteLineAsync(
                    $"salpre: --tz: '{zoneId}' is not a time zone known here, so a date in --after or --before has no start; give instants with an offset");
                return ExitCodes.Usage;
            }
            var options = filters.Apply(new CallStatsOptions(), parse, dateZone) with { TimeZone = zoneId, GroupBy = parse.GetValue(groupBy) };
            var stats = await client.Calls.GetStatsAsync(options, cancellationToken);
            var output = environment.Out;
            switch (parse.GetValue(format))
            {
                case "json":
                    await JsonOutput.WriteAsync(output, json => WriteStats(json, stats));
                    break;
                case "csv":
                    StatsCsv.Write(output, stats);
                    break;
                default:
                    environment.ConsoleOver(output, environment.OutIsTerminal).Write(Tables.Stats(stats));
                    await environment.Error.WriteLineAsync(Summary(stats));
                    break;
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The answer in the API's own shape: <c>{"data":{"totals":...,"groups":[...]},"meta":{...}}</c>.</summary>
    private static void WriteStats(Utf8JsonWriter json, CallStats stats)
    {
        json.WriteStartObject();
        json.WriteStartObject("data");
        json.WritePropertyName("totals");
        JsonSerializer.Serialize(json, stats.Totals, SalpreJsonContext.Default.CallStatsMeasures);
        json.WritePropertyName("groups");
        JsonSerializer.Serialize(json, [.. stats.Groups], SalpreJsonContext.Default.ListCallStatsGroup);
        json.WriteEndObject();
        json.WriteStartObject("meta");
        json.WriteString("started_after", CallCsv.Instant(stats.StartedAfter));
        json.WriteString("started_before", CallCsv.Instant(stats.StartedBefore));
        json.WriteString("tz", stats.TimeZone);
        json.WriteStartArray("group_by");
        foreach (var dimension in stats.GroupBy)
        {
            json.WriteStringValue(dimension.ToWire());
        }
        json.WriteEndArray();
        if (stats.IgnoredParameters.Count > 0)
        {
            json.WriteStartArray("ignored_parameters");
            foreach (var name in stats.IgnoredParameters)
            {
                json.WriteStringValue(name);
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string Summary(CallStats stats)
    {
        var summary = $"{stats.Totals.Calls:N0} calls started from {CallCsv.Instant(stats.StartedAfter)} to {CallCsv.Instant(stats.StartedBefore)}";
        summary += stats.GroupBy.Count == 0
            ? $" ({stats.TimeZone})."
            : $", {stats.Groups.Count:N0} groups by {string.Join(", ", stats.GroupBy.Select(d => d.ToWire()))} in {stats.TimeZone}.";
        return stats.IgnoredParameters.Count > 0 ? summary + $" The API ignored: {string.Join(", ", stats.IgnoredParameters)}." : summary;
    }
}
