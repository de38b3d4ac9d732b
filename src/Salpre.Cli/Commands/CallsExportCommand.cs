using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Salpre.Cli.Output;
using Salpre.Client;
using Spectre.Console;

namespace Salpre.Cli.Commands;

/// <summary>
/// <c>salpre calls export</c>: every matching call, streamed from the gateway's export (resumed after a dropped
/// connection; page after page from a server without it), into an NDJSON or CSV file that the gateway's <c>import</c>
/// reads as it is. The file appears only when complete: it is written beside the
/// target under a temporary name and renamed at the end, so an interrupted export leaves nothing behind.
/// </summary>
public static class CallsExportCommand
{
    private static readonly TimeSpan s_progressInterval = TimeSpan.FromMilliseconds(200);

    public static Command Create(CliContext context)
    {
        var filters = new CallFilters();
        var output = new Option<FileInfo>("--output", "-o") { Description = "The file to write (replaced when the export completes).", Required = true };
        var details = new Option<bool>("--with-details")
        {
            Description = "Also export each call's recording URL, transcript and variables, so that an import keeps them.",
        };
        var format = CliContext.Format("ndjson", "csv");
        var command = new Command("export", "Export every matching call to an NDJSON or CSV file (for the gateway's import).") { output, details, format };
        filters.AddTo(command);

        command.SetAction(context.WithClient(async (client, parse, cancellationToken) =>
        {
            var withDetails = parse.GetValue(details);
            var listOptions = filters.ToListOptions(parse);
            var options = new CallExportOptions(listOptions) { Order = listOptions.Order, IncludeDetails = withDetails };
            var target = parse.GetValue(output)!;
            var csv = parse.GetValue(format) == "csv";
            var environment = context.Environment;
            var watch = Stopwatch.StartNew();

            long exported;
            if (environment.ErrorIsTerminal)
            {
                exported = await environment.ConsoleOver(environment.Error, terminal: true).Status()
                    .StartAsync("Exporting calls...", status => ExportAsync(client, options, target, csv, withDetails, count =>
                        status.Status($"Exporting calls: {count:N0} ({count / Math.Max(watch.Elapsed.TotalSeconds, 0.001):N0} calls/s)"), cancellationToken));
                await environment.Error.WriteLineAsync(
                    $"Exported {exported:N0} calls to {target.FullName} in {watch.Elapsed.TotalSeconds:N1} s ({exported / Math.Max(watch.Elapsed.TotalSeconds, 0.001):N0} calls/s).");
            }
            else
            {
                // Redirected (a script, a log): no live display and no chatter.
                await ExportAsync(client, options, target, csv, withDetails, _ => { }, cancellationToken);
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task<long> ExportAsync(
        SalpreClient client, CallExportOptions options, FileInfo target, bool csv, bool withDetails, Action<long> progress, CancellationToken cancellationToken)
    {
        var directory = target.Directory ?? new DirectoryInfo(Environment.CurrentDirectory);
        var temporary = Path.Combine(directory.FullName, $".{target.Name}.{Guid.NewGuid():N}.partial");
        try
        {
            long count;
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (file)
            {
                // NDJSON is the export's own form: copied as it comes. CSV is written call by call.
                count = csv
                    ? await WriteCsvAsync(client.Calls.ExportAsync(options, cancellationToken), withDetails, file, progress, cancellationToken)
                    : await client.Calls.ExportToAsync(file, options, new ThrottledProgress(progress), cancellationToken);
                await file.FlushAsync(cancellationToken);
                // On disk before the name says it is complete.
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, target.FullName, overwrite: true);
            progress(count);
            return count;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static async Task<long> WriteCsvAsync(IAsyncEnumerable<Call> calls, bool withDetails, Stream file, Action<long> progress, CancellationToken cancellationToken)
    {
        var writer = new StreamWriter(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
        await using (writer)
        {
            await writer.WriteLineAsync(withDetails ? CallCsv.DetailsHeader : CallCsv.Header);
            var ticker = new ProgressTicker(progress);
            await foreach (var call in calls)
            {
                CallCsv.WriteRow(writer, call, withDetails);
                ticker.Count();
            }
            await writer.FlushAsync(cancellationToken);
            return ticker.Total;
        }
    }

    /// <summary>Passes a growing count on at most every 200 ms.</summary>
    private sealed class ThrottledProgress(Action<long> report) : IProgress<long>
    {
        private long _nextReport = Stopwatch.GetTimestamp();

        public void Report(long value)
        {
            if (Stopwatch.GetTimestamp() >= _nextReport)
            {
                report(value);
                _nextReport = Stopwatch.GetTimestamp() + (long)(s_progressInterval.TotalSeconds * Stopwatch.Frequency);
            }
        }
    }

    /// <summary>Counts calls and reports the count at most every 200 ms, so the display costs nothing per call.</summary>
    private sealed class ProgressTicker(Action<long> report)
    {
        private readonly ThrottledProgress _progress = new(report);

        public long Total { get; private set; }

        public void Count()
        {
            if ((++Total & 255) == 0)
            {
                _progress.Report(Total);
            }
        }
    }
}
