using System.Globalization;

namespace Salpre.Bench.Soak;

/// <summary>One sample of the gateway process as the operating system and its metrics endpoint see it.</summary>
public sealed record VitalSigns(double Minute, double RssMegabytes, double? GcHeapMegabytes, int Threads, int Handles, double P50Ms, double P99Ms, long Requests, long Errors)
{
    /// <summary>Reads <c>/proc/PID</c> for memory, threads and open handles, and the summed GC heap gauges from <paramref name="metrics"/>.</summary>
    public static async Task<VitalSigns> ReadAsync(int pid, HttpClient? metrics, string gcMetric, double minute, double[] latencies, long requests, long errors)
    {
        var status = await File.ReadAllLinesAsync($"/proc/{pid}/status");
        double Field(string name) => double.Parse(status.First(line => line.StartsWith(name, StringComparison.Ordinal)).Split(':', StringSplitOptions.TrimEntries)[1].Split(' ')[0], CultureInfo.InvariantCulture);
        var handles = Directory.GetFiles($"/proc/{pid}/fd").Length;
        double? gcHeap = null;
        if (metrics is not null)
        {
            var scrape = await metrics.GetStringAsync("");
            gcHeap = scrape.Split('\n')
                .Where(line => line.StartsWith(gcMetric, StringComparison.Ordinal) && line.Length > gcMetric.Length && line[gcMetric.Length] is '{' or ' ')
                .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)) / (1024 * 1024);
        }
        return new VitalSigns(minute, Field("VmRSS") / 1024, gcHeap, (int)Field("Threads"), handles,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), requests, errors);
    }

    public static string CsvHeader => "minute,rss_mb,gc_heap_mb,threads,handles,p50_ms,p99_ms,requests,errors";

    public string ToCsv() => string.Create(CultureInfo.InvariantCulture,
        $"{Minute:0.00},{RssMegabytes:0.0},{GcHeapMegabytes:0.0},{Threads},{Handles},{P50Ms:0.00},{P99Ms:0.00},{Requests},{Errors}");

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
