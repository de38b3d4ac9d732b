using System.Globalization;
using System.Text;
using Salpre.Client;
using Salpre.Client.Serialization;
using Spectre.Console;

namespace Salpre.Cli.Output;

/// <summary>
/// Events for people: a row an event (when, id, type, then what it is about: the call or box, its status, the
/// status before and the sequence), as a table or as aligned lines printed as events arrive.
/// </summary>
public static class EventLines
{
    private static readonly string[] s_columns = ["timestamp", "id", "type", "subject", "status", "previous", "sequence"];
    private static readonly int[] s_widths = [26, 32, 21, 22, 14, 13, 0];

    public static Table Table(IEnumerable<SalpreEvent> events)
    {
        var table = new Table().AddColumns(s_columns);
        foreach (var item in events)
        {
            table.AddRow([.. Cells(item).Select(Markup.Escape)]);
        }
        return table;
    }

    /// <summary>The column names, aligned as <see cref="Line"/> aligns the rows.</summary>
    public static string Header => Align(s_columns);

    /// <summary>One event as a line of aligned columns, for output that grows as events come.</summary>
    public static string Line(SalpreEvent item) => Align(Cells(item));

    public static string Timestamp(SalpreEvent item) =>
        item.Timestamp.UtcDateTime.ToString(UtcMillisecondsConverter.Format, CultureInfo.InvariantCulture);

    private static string[] Cells(SalpreEvent item)
    {
        var (subject, status, previous, sequence) = item switch
        {
            { Call: { } call } => (call.CallId, call.Status.ToWire(), call.PreviousStatus?.ToWire() ?? "", call.Sequence.ToString(CultureInfo.InvariantCulture)),
            { DeletedCallId: { } deleted } => (deleted, "", "", ""),
            { Device: { } device } => (device.SerialNo, device.Connected ? "connected" : "disconnected", "", ""),
            _ => ("", "", "", ""),
        };
        return [Timestamp(item), item.Id, item.Type, subject, status, previous, sequence];
    }

    private static string Align(IReadOnlyList<string> cells)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            // A cell wider than its column still leaves a space before the next.
            line.Append(s_widths[i] == 0 ? cells[i] : cells[i].Length < s_widths[i] ? cells[i].PadRight(s_widths[i]) : cells[i] + " ");
        }
        return line.ToString().TrimEnd();
    }
}
