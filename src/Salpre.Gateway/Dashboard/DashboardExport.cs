using System.Globalization;
using System.Text;
using Salpre.Gateway.Calls;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Dashboard;

/// <summary>
/// The calls of the current filter as CSV, every page of them in list order: the header and cells of
/// <c>salpre calls export --format csv</c> (times in UTC, as the API gives them; empty cells for null).
/// </summary>
public static class DashboardExport
{
    public static readonly string Header = Calls.Export.CallExportRenderer.CsvHeader;
    private const int Batch = 500;

    public static async Task ExportAsync(HttpContext context, ApiCaller caller, ICallStore calls, CallCursors cursors)
    {
        // The list's own parsing, less its paging: the export covers every matching call.
        var query = new QueryCollection(context.Request.Query
            .Where(pair => pair.Key is not ("cursor" or "page" or "per_page" or "include_total"))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase));
        if (!CallListRequest.TryParse(query, rawQuery: null, caller.AccountId, cursors, out var request, out var invalid))
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, ApiErrors.InvalidParameter(context, invalid));
            return;
        }
        var response = context.Response;
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = "attachment; filename=\"calls.csv\"";
        var ct = context.RequestAborted;
        await response.WriteAsync(Header + "\n", ct);
        CallPosition? after = null;
        while (true)
        {
            var rows = await calls.ListAsync(caller.AccountId, new CallQuery(request.Filter, request.Ascending, after, 0, Batch), ct);
            var text = new StringBuilder();
            foreach (var row in rows)
            {
                var call = CallItem.Of(row);
                text.Append(call.CallId).Append(',').Append(call.Status.ToWire()).Append(',').Append(Cell(call.From)).Append(',')
                    .Append(Cell(call.To)).Append(',').Append(call.AgentId.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(call.Direction.ToWire()).Append(',').Append(DashboardFormat.Iso(call.StartedAt)).Append(',')
                    .Append(call.EndedAt is { } ended ? DashboardFormat.Iso(ended) : "").Append(',')
                    .Append(call.DurationSec?.ToString(CultureInfo.InvariantCulture) ?? "").Append('\n');
            }
            await response.WriteAsync(text.ToString(), ct);
            if (rows.Count < Batch)
            {
                return;
            }
            after = new CallPosition(rows[^1].StartedAt, rows[^1].CallNum);
        }
    }

    /// <summary>Quoted when it holds a comma, a quote or a line break; a leading =, +, - or @ is kept as text.</summary>
    private static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '-' or '@' && !value.StartsWith("salprebox:", StringComparison.Ordinal))
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
