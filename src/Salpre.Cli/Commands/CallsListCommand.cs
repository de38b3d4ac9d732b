using System.CommandLine;
using System.Text.Json;
using Salpre.Cli.Output;
using Salpre.Client;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary><c>salpre calls list</c>: one page of calls, as a table, JSON or CSV.</summary>
public static class CallsListCommand
{
    public static Command Create(CliContext context)
    {
        var filters = new CallFilters();
        var perPage = new Option<int?>("--per-page") { Description = "Calls a page, 1 to 100 (the API's default is 10)." };
        var page = new Option<long?>("--page") { Description = "The page number, from 1." };
        var cursor = new Option<string?>("--cursor") { Description = "Continue after a page: its next_cursor." };
        var total = new Option<bool>("--total") { Description = "Also count every matching call." };
        var format = CliContext.Format("table", "json", "csv");
        var command = new Command("list", "List one page of calls, newest first.") { perPage, page, cursor, total, format };
        filters.AddTo(command);

        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var options = filters.ToListOptions(parse) with
            {
                PerPage = parse.GetValue(perPage),
                Page = parse.GetValue(page),
                Cursor = parse.GetValue(cursor),
                IncludeTotal = parse.GetValue(total),
            };
            var result = await client.Calls.ListAsync(options, cancellationToken);
            var output = context.Environment.Out;
            switch (parse.GetValue(format))
            {
                case "json":
                    await JsonOutput.WriteAsync(output, json => WritePage(json, result));
                    break;
                case "csv":
                    await output.WriteLineAsync(CallCsv.Header);
                    foreach (var call in result.Items)
                    {
                        CallCsv.WriteRow(output, call);
                    }
                    break;
                default:
                    context.Environment.ConsoleOver(output, context.Environment.OutIsTerminal).Write(Tables.Calls(result.Items));
                    await context.Environment.Error.WriteLineAsync(Summary(result));
                    break;
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The page in the API's own shape: <c>{"data":[...],"meta":{...}}</c>.</summary>
    private static void WritePage(Utf8JsonWriter json, CallPage page)
    {
        json.WriteStartObject();
        json.WritePropertyName("data");
        JsonSerializer.Serialize(json, [.. page.Items], SalpreJsonContext.Default.ListCall);
        json.WriteStartObject("meta");
        json.WriteNumber("per_page", page.PerPage);
        json.WriteNumber("page", page.Page);
        json.WriteBoolean("has_next", page.HasNext);
        json.WriteString("next_cursor", page.NextCursor);
        if (page.Total is { } count)
        {
            json.WriteNumber("total", count);
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string Summary(CallPage page)
    {
        var summary = $"Page {page.Page}: {page.Items.Count} calls" + (page.Total is { } total ? $" of {total}" : "") + ".";
        if (page.IgnoredParameters.Count > 0)
        {
            summary += $" The API ignored: {string.Join(", ", page.IgnoredParameters)}.";
        }
        return page.HasNext
            ? summary + (page.NextCursor is { } next ? $" Next page: --cursor {next}" : $" Next page: --page {page.Page + 1}")
            : summary;
    }
}
