using System.Diagnostics;
using System.Diagnostics.Metrics;
using Salpre.Storage.Calls;

namespace Salpre.Storage;

/// <summary>
/// The storage layer's instruments, on the <c>Salpre.Storage</c> meter: how long writers queue for SQLite's one write
/// lock, and how many rows imports wrote or found present. No label carries data of a call or an account.
/// </summary>
public sealed class StorageMetrics
{
    public const string MeterName = "Salpre.Storage";

    private static readonly KeyValuePair<string, object?> s_inserted = new("outcome", "inserted");
    private static readonly KeyValuePair<string, object?> s_alreadyPresent = new("outcome", "already_present");

    // Seconds, from a tenth of a millisecond (an uncontended gate) to ten seconds (SQLite's busy timeout).
    private static readonly double[] s_waitBuckets = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Histogram<double> _writeGateWait;
    private readonly Counter<long> _importRows;

    /// <param name="meters">The host's meter factory; without one (admin commands, storage tests) nothing listens.</param>
    public StorageMetrics(IMeterFactory? meters)
    {
        var options = new MeterOptions(MeterName);
        // Without a factory the meter still needs a scope of its own, so that a host's listener, which keeps only its
        // own factory's meters, never counts this one.
        var meter = meters?.Create(options) ?? new Meter(options.Name, options.Version, options.Tags, scope: this);
        _writeGateWait = meter.CreateHistogram("salpre.storage.sqlite.write_gate.wait", unit: "s",
            description: "How long a SQLite write waited for this process's write gate (its turn at the one write lock).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_waitBuckets });
        _importRows = meter.CreateCounter<long>("salpre.storage.import.rows", unit: "{row}",
            description: "Rows of committed imports: outcome=inserted (new calls) or already_present (left unchanged).");
    }

    /// <summary>A store nobody observes, for stores made without a host.</summary>
    public static StorageMetrics Unobserved { get; } = new(null);

    /// <summary>Records the wait of a writer that started queuing at <paramref name="startTimestamp"/> (<see cref="Stopwatch"/>).</summary>
    public void WriteGateWaited(long startTimestamp)
    {
        if (_writeGateWait.Enabled)
        {
            _writeGateWait.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        }
    }

    public void Imported(ImportOutcome outcome)
    {
        if (outcome.Inserted > 0)
        {
            _importRows.Add(outcome.Inserted, s_inserted);
        }
        if (outcome.AlreadyPresent > 0)
        {
            _importRows.Add(outcome.AlreadyPresent, s_alreadyPresent);
        }
    }
}
