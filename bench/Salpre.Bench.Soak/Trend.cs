namespace Salpre.Bench.Soak;

/// <summary>
/// A least-squares line through a series sampled over time, as growth per hour with its 95% confidence interval.
/// A series rises when its slope is surely above zero (the interval's lower end is) and the growth it implies in
/// an hour is more than <see cref="Tolerance"/> of its mean: noise and a flat plateau both pass.
/// </summary>
public sealed record Trend(string Series, double First, double Last, double Mean, double SlopePerHour, double Low, double High)
{
    public const double Tolerance = 0.05;

    public bool Rises => Low > 0 && SlopePerHour > Tolerance * Math.Abs(Mean);

    public static Trend Fit(string series, IReadOnlyList<(double Minute, double Value)> points)
    {
        var n = points.Count;
        var meanX = points.Average(p => p.Minute);
        var meanY = points.Average(p => p.Value);
        var sxx = points.Sum(p => (p.Minute - meanX) * (p.Minute - meanX));
        var slope = sxx == 0 ? 0 : points.Sum(p => (p.Minute - meanX) * (p.Value - meanY)) / sxx;
        var residual = points.Sum(p => Math.Pow(p.Value - (meanY + slope * (p.Minute - meanX)), 2));
        var standardError = n > 2 && sxx > 0 ? Math.Sqrt(residual / (n - 2) / sxx) : double.PositiveInfinity;
        var margin = StudentT95(n - 2) * standardError;
        return new Trend(series, points[0].Value, points[^1].Value, meanY, slope * 60, (slope - margin) * 60, (slope + margin) * 60);
    }

    // Two-sided 95% quantiles of Student's t; beyond 30 degrees of freedom the normal's 1.96 is close enough.
    private static double StudentT95(int degrees) => degrees switch
    {
        <= 0 => double.PositiveInfinity,
        1 => 12.71, 2 => 4.30, 3 => 3.18, 4 => 2.78, 5 => 2.57, 6 => 2.45, 7 => 2.36, 8 => 2.31, 9 => 2.26, 10 => 2.23,
        <= 15 => 2.13, <= 20 => 2.09, <= 30 => 2.04, _ => 1.96,
    };
}
