using System.Globalization;
using Salpre.Client;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Output;

/// <summary>
/// Statistics as CSV: a column per dimension (named as in <c>group_by</c>), then the measures and the eight statuses;
/// one row per group, or, without dimensions, one row of totals. Empty cells stand for null.
/// </summary>
public static class StatsCsv
{
    /// <summary>The statuses' columns, in the API's order.</summary>
    public static readonly IReadOnlyList<CallStatus> Statuses = [.. Enum.GetValues<CallStatus>().Where(status => status != CallStatus.Unknown)];

    public static readonly string MeasuresHeader = "calls,answered,answer_rate,talk_sec_total,talk_sec_avg," + string.Join(',', Statuses.Select(status => status.ToWire()));

    public static string Header(IReadOnlyList<CallStatsDimension> dimensions) =>
        string.Join(',', dimensions.Select(dimension => dimension.ToWire()).Append(MeasuresHeader));

    public static void Write(TextWriter writer, CallStats stats)
    {
        writer.Write(Header(stats.GroupBy));
        writer.Write('\n');
        if (stats.GroupBy.Count == 0)
        {
            WriteMeasures(writer, stats.Totals);
            return;
        }
        foreach (var group in stats.Groups)
        {
            foreach (var dimension in stats.GroupBy)
            {
                CallCsv.Field(writer, group.KeyText(dimension) ?? "");
                writer.Write(',');
            }
            WriteMeasures(writer, group);
        }
    }

    private static void WriteMeasures(TextWriter writer, CallStatsMeasures measures)
    {
        writer.Write(measures.Calls.ToString(CultureInfo.InvariantCulture));
        writer.Write(',');
        writer.Write(measures.Answered.ToString(CultureInfo.InvariantCulture));
        writer.Write(',');
        writer.Write(Number(measures.AnswerRate));
        writer.Write(',');
        writer.Write(measures.TalkSecTotal.ToString(CultureInfo.InvariantCulture));
        writer.Write(',');
        writer.Write(Number(measures.TalkSecAvg));
        foreach (var status in Statuses)
        {
            writer.Write(',');
            writer.Write(measures.ByStatus.GetValueOrDefault(status).ToString(CultureInfo.InvariantCulture));
        }
        writer.Write('\n');
    }

    /// <summary>As the API writes it: the shortest text that reads back the same (0.6667, 170.5, 1).</summary>
    private static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
}
