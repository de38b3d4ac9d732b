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
