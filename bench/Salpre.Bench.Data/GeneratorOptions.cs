using System.Globalization;

namespace Salpre.Bench.Data;

public sealed record GeneratorOptions(long Calls, int Accounts, double BigShare, string OutputDirectory, string? CsvPath)
{
    /// <summary>The history spans these two years, fixed so that runs on different days are comparable.</summary>
    public static readonly DateTimeOffset Start = new(2024, 11, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset End = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static GeneratorOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
        }
        return new GeneratorOptions(
            long.Parse(Value("--calls") ?? "1000000", CultureInfo.InvariantCulture),
            int.Parse(Value("--accounts") ?? "100", CultureInfo.InvariantCulture),
            double.Parse(Value("--big-share") ?? "0.3", CultureInfo.InvariantCulture),
            Value("--out") ?? throw new ArgumentException("--out DIR is required"),
            Value("--csv"));
    }
}
