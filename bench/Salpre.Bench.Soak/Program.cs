// A soak: a steady mixed load for a long while, with the gateway's vital signs sampled at fixed intervals (RSS, GC
// heap, threads, open handles, p50/p99 latency, errors), and a trend fitted to each after the warm-up.
// Usage: dotnet Salpre.Bench.Soak.dll --url URL --key KEY(read,write,ingest) --serial SERIAL --pid GATEWAY_PID
//        [--seconds 600] [--interval 10] [--warmup 60] [--rate 200] [--workers 16] [--metrics URL --gc-metric NAME] --out DIR
// Writes DIR/samples.csv and DIR/soak.md; prints one line: "soak: S samples, R requests, E errors, T rising".
// Exit code 0 when no request failed and, for a run long enough to judge (5 minutes after the warm-up), nothing rises.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Salpre.Bench.Soak;

string Arg(string name, string? fallback = null)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback ?? throw new ArgumentException($"{name} is required");
}
double Number(string name, string fallback) => double.Parse(Arg(name, fallback), CultureInfo.InvariantCulture);

var url = new Uri(Arg("--url").TrimEnd('/') + "/");
var pid = int.Parse(Arg("--pid"), CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(Number("--seconds", "600"));
var interval = TimeSpan.FromSeconds(Number("--interval", "10"));
var warmup = TimeSpan.FromSeconds(Number("--warmup", "60"));
var output = Directory.CreateDirectory(Arg("--out")).FullName;
using var metrics = Arg("--metrics", "") is { Length: > 0 } metricsUrl ? new HttpClient { BaseAddress = new Uri(metricsUrl) } : null;
var gcMetric = Arg("--gc-metric", "");

var load = new MixedLoad(url, Arg("--key"), Arg("--serial"), Number("--rate", "200"), (int)Number("--workers", "16"));
using var stop = new CancellationTokenSource(duration);
var clock = Stopwatch.StartNew();
var running = load.RunAsync(stop.Token);
var samples = new List<VitalSigns>();
await using (var csv = new StreamWriter(Path.Combine(output, "samples.csv")))
{
    await csv.WriteLineAsync(VitalSigns.CsvHeader);
    while (clock.Elapsed + interval <= duration + TimeSpan.FromSeconds(1))
    {
        await Task.Delay(interval * (samples.Count + 1) - clock.Elapsed);
        var sample = await VitalSigns.ReadAsync(pid, metrics, gcMetric, clock.Elapsed.TotalMinutes, load.TakeLatencies(), load.Requests, load.Errors);
        samples.Add(sample);
        await csv.WriteLineAsync(sample.ToCsv());
        await csv.FlushAsync();
        Console.Error.WriteLine($"[soak] {sample.ToCsv()}");
    }
}
await running;

var judged = samples.Where(s => s.Minute >= warmup.TotalMinutes).ToList();
var longEnough = judged.Count >= 3 && judged[^1].Minute - judged[0].Minute >= 5;
List<Trend> trends = judged.Count < 3 ? [] :
[
    Trend.Fit("RSS (MB)", [.. judged.Select(s => (s.Minute, s.RssMegabytes))]),
    .. judged.All(s => s.GcHeapMegabytes is not null) ? [Trend.Fit("GC heap (MB)", [.. judged.Select(s => (s.Minute, s.GcHeapMegabytes!.Value))])] : Array.Empty<Trend>(),
    Trend.Fit("threads", [.. judged.Select(s => (s.Minute, (double)s.Threads))]),
    Trend.Fit("open handles", [.. judged.Select(s => (s.Minute, (double)s.Handles))]),
    Trend.Fit("p50 latency (ms)", [.. judged.Select(s => (s.Minute, s.P50Ms))]),
    Trend.Fit("p99 latency (ms)", [.. judged.Select(s => (s.Minute, s.P99Ms))]),
];
var rising = longEnough ? trends.Count(t => t.Rises) : 0;
await File.WriteAllTextAsync(Path.Combine(output, "soak.md"), Report(samples, trends, load, clock.Elapsed, warmup, longEnough));
Console.WriteLine($"soak: {samples.Count} samples, {load.Requests} requests, {load.Errors} errors, {rising} rising");
return load.Errors == 0 && rising == 0 && samples.Count > 0 ? 0 : 1;

static string Report(List<VitalSigns> samples, List<Trend> trends, MixedLoad load, TimeSpan elapsed, TimeSpan warmup, bool judged)
{
    var text = new StringBuilder();
    var invariant = CultureInfo.InvariantCulture;
    text.AppendLine(invariant, $"{load.Requests:N0} requests in {elapsed.TotalMinutes:0.0} min ({load.Requests / elapsed.TotalSeconds:0} /s), {load.Errors} errors; {samples.Count} samples.");
    text.AppendLine();
    text.AppendLine(invariant, $"Trends fitted over the samples after the first {warmup.TotalSeconds:0} s (least squares, 95% interval of the slope; " +
                               $"a series rises when the interval is above zero and the slope exceeds {Trend.Tolerance:P0} of its mean per hour):");
    text.AppendLine();
    text.AppendLine("| series | first | last | mean | slope per hour | 95% interval | verdict |");
    text.AppendLine("|---|---|---|---|---|---|---|");
    foreach (var t in trends)
    {
        var verdict = !judged ? "not judged (run too short)" : t.Rises ? "**rises**" : "flat";
        text.AppendLine(invariant, $"| {t.Series} | {t.First:0.0} | {t.Last:0.0} | {t.Mean:0.0} | {t.SlopePerHour:+0.00;-0.00} | {t.Low:+0.00;-0.00} to {t.High:+0.00;-0.00} | {verdict} |");
    }
    if (load.FirstErrors.Count > 0)
    {
        text.AppendLine().AppendLine("First errors:").AppendLine();
        foreach (var error in load.FirstErrors) text.AppendLine(invariant, $"- {error}");
    }
    text.AppendLine().AppendLine("Samples:").AppendLine().AppendLine("```").AppendLine(VitalSigns.CsvHeader);
    foreach (var sample in samples) text.AppendLine(sample.ToCsv());
    return text.AppendLine("```").ToString();
}
