using System.Globalization;
using Salpre.Client;
using Salpre.Client.Serialization;
using Spectre.Console;

namespace Salpre.Cli.Output;

/// <summary>Tables for people.</summary>
public static class Tables
{
    public static Table Calls(IEnumerable<Call> calls)
    {
        var table = new Table().AddColumns("call_id", "status", "from", "to", "agent_id", "direction", "started_at", "ended_at", "duration_sec");
        foreach (var call in calls)
        {
            table.AddRow(
                Markup.Escape(call.CallId),
                call.Status.ToWire(),
                Markup.Escape(call.From),
                Markup.Escape(call.To),
                call.AgentId.ToString(CultureInfo.InvariantCulture),
                call.Direction.ToWire(),
                CallCsv.Instant(call.StartedAt),
                call.EndedAt is { } ended ? CallCsv.Instant(ended) : "",
                call.DurationSec?.ToString(CultureInfo.InvariantCulture) ?? "");
        }
        return table;
    }

    /// <summary>
    /// One row per group (its keys, then calls, answered, answer rate, average talk, and the statuses any call has),
    /// the totals as the footer; without groups, the totals as the one row.
    /// </summary>
    public static Table Stats(CallStats stats)
    {
        var totals = stats.Totals;
        var statuses = StatsCsv.Statuses.Where(status => totals.ByStatus.GetValueOrDefault(status) > 0).ToList();
        if (totals.ByStatus.GetValueOrDefault(CallStatus.Unknown) > 0)
        {
            statuses.Add(CallStatus.Unknown);
        }
        var grouped = stats.GroupBy.Count > 0;
        var table = new Table { ShowFooters = grouped };
        for (var i = 0; i < stats.GroupBy.Count; i++)
        {
            table.AddColumn(new TableColumn(stats.GroupBy[i].ToWire()).Footer(i == 0 ? "total" : ""));
        }
        var measures = MeasureCells(totals, statuses);
        var names = new[] { "calls", "answered", "answer rate", "avg talk" }.Concat(statuses.Select(status => status.ToWire())).ToList();
        for (var i = 0; i < names.Count; i++)
        {
            var column = new TableColumn(names[i]).RightAligned();
            table.AddColumn(grouped ? column.Footer(measures[i]) : column);
        }
        if (!grouped)
        {
            table.AddRow(measures);
            return table;
        }
        foreach (var group in stats.Groups)
        {
            table.AddRow([.. stats.GroupBy.Select(dimension => Markup.Escape(group.KeyText(dimension) ?? "")), .. MeasureCells(group, statuses)]);
        }
        return table;
    }

    private static string[] MeasureCells(CallStatsMeasures measures, IEnumerable<CallStatus> statuses) =>
    [
        measures.Calls.ToString("N0", CultureInfo.InvariantCulture),
        measures.Answered.ToString("N0", CultureInfo.InvariantCulture),
        measures.AnswerRate is { } rate ? (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-",
        measures.TalkSecAvg is { } average ? Duration(average) : "-",
        .. statuses.Select(status => measures.ByStatus.GetValueOrDefault(status).ToString("N0", CultureInfo.InvariantCulture)),
    ];

    /// <summary>A talk time to the second: <c>2:51</c>, or <c>1:02:03</c> past an hour.</summary>
    public static string Duration(double seconds)
    {
        var time = TimeSpan.FromSeconds(Math.Round(seconds, MidpointRounding.AwayFromZero));
        return time.TotalHours >= 1
            ? ((long)time.TotalHours).ToString(CultureInfo.InvariantCulture) + time.ToString(@"\:mm\:ss", CultureInfo.InvariantCulture)
            : ((long)time.TotalMinutes).ToString(CultureInfo.InvariantCulture) + time.ToString(@"\:ss", CultureInfo.InvariantCulture);
    }

    public static Grid Details(CallDetails call)
    {
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string name, string? value) => grid.AddRow(new Text(name), new Text(value ?? ""));
        Row("call_id", call.CallId);
        Row("status", call.Status.ToWire());
        Row("from", call.From);
        Row("to", call.To);
        Row("agent_id", call.AgentId.ToString(CultureInfo.InvariantCulture));
        Row("direction", call.Direction.ToWire());
        Row("started_at", CallCsv.Instant(call.StartedAt));
        Row("ended_at", call.EndedAt is { } ended ? CallCsv.Instant(ended) : null);
        Row("duration_sec", call.DurationSec?.ToString(CultureInfo.InvariantCulture));
        Row("audio_record_url", call.AudioRecordUrl);
        Row("transcript", call.Transcript);
        foreach (var (name, value) in call.Variables ?? [])
        {
            Row($"variables.{name}", value.ToString());
        }
        return grid;
    }

    public static Table Logs(IEnumerable<CallLogEntry> entries)
    {
        var table = new Table().AddColumns("at", "status", "detail");
        foreach (var entry in entries)
        {
            table.AddRow(CallCsv.Instant(entry.At), entry.Status.ToWire(), Markup.Escape(entry.Detail ?? ""));
        }
        return table;
    }

    public static Table Devices(IEnumerable<Device> devices)
    {
        var table = new Table().AddColumns("id", "serial_no", "device_name", "connected", "battery_level", "last_seen", "firmware_version");
        foreach (var device in devices)
        {
            table.AddRow(
                device.Id.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(device.SerialNo),
                Markup.Escape(device.DeviceName),
                device.Connected ? "yes" : "no",
                device.BatteryLevel?.ToString(CultureInfo.InvariantCulture) ?? "",
                device.LastSeen is { } seen ? CallCsv.Instant(seen) : "",
                Markup.Escape(device.FirmwareVersion ?? ""));
        }
        return table;
    }
}
