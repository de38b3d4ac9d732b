using System.Text;
using Salpre.Storage.Calls;
using Salpre.Storage.Calls.Stats;

namespace Salpre.Storage.Tests.Stores;

/// <summary>
/// One of each kind of statistics query, as the gateway asks it of account 1 of a history from November 2024 to
/// November 2026 (the bench data's two years), with the sources <see cref="StatsSql.Plan"/> is expected to read, in
/// order. The plan tests of both stores EXPLAIN every part of each.
/// </summary>
public static class StatsPlanCases
{
    public const long Account = 1;

    /// <summary>2024-11-01T00:00:00Z and 2026-11-01T00:00:00Z: the history's first and last instants.</summary>
    public const long HistoryStart = 1_730_419_200;
    public const long HistoryEnd = 1_793_491_200;

    public const string Calls = "calls";
    public const string Hours = "call_stats_hours";
    public const string Days = "call_stats_days";
    public const string AgentDays = "call_stats_agent_days";
    public const string AgentBlocks = "call_stats_agent_blocks";

    // A local day in a whole-hour zone: the UTC days, and the hours its offset moves across midnight.
    private static readonly string[] s_localDays = [Hours, Days, Hours, Hours];

    /// <summary>A case: what the gateway asks, and which tables its parts read.</summary>
    public sealed record Case(string Name, StatsQuery Query, string[] Sources);

    private const long Day = 86_400;

    // The last 30 local days of the history in Istanbul (+03:00, whole hours): 2026-10-02 to 2026-10-31 inclusive.
    private static readonly (long From, long Until) s_month = (Instant("2026-10-01T21:00:00Z"), Instant("2026-10-31T21:00:00Z"));

    // The whole history in Istanbul's days.
    private static readonly (long From, long Until) s_twoYears = (Instant("2024-10-31T21:00:00Z"), Instant("2026-10-31T21:00:00Z"));

    // Minutes into hours at both ends: the cut ends are read from the calls.
    private static readonly (long From, long Until) s_cut = (s_month.From + 17 * 60, s_month.Until - 43 * 60);

    private static readonly int s_failed = 1 << (int)CallStatus.Failed;
    private static readonly int s_answeredStatuses = (1 << (int)CallStatus.Completed) | (1 << (int)CallStatus.InProgress);

    public static IReadOnlyList<Case> All { get; } =
    [
        new("totals (no time unit, no field), cut ends", Query(s_cut, "UTC", StatsTimeUnit.None), [Calls, Hours, Days, Hours, Calls]),
        new("by day, last 30 days, Europe/Istanbul", Query(s_month, "Europe/Istanbul", StatsTimeUnit.Day), s_localDays),
        new("by day, 30 days cut at both ends, Europe/Istanbul", Query(s_cut, "Europe/Istanbul", StatsTimeUnit.Day), [Calls, .. s_localDays, Calls]),
        new("by day, two years, Europe/Istanbul", Query(s_twoYears, "Europe/Istanbul", StatsTimeUnit.Day), s_localDays),
        new("by day, two years, Europe/Berlin (clock changes)", Query((Instant("2024-10-31T23:00:00Z"), Instant("2026-10-31T23:00:00Z")), "Europe/Berlin", StatsTimeUnit.Day), [.. Enumerable.Repeat(s_localDays, 5).SelectMany(s => s)]),
        new("by hour, 30 days cut at both ends, Europe/Istanbul", Query(s_cut, "Europe/Istanbul", StatsTimeUnit.Hour), [Calls, Hours, Calls]),
        new("by agent, two years", Query(s_twoYears, "Europe/Istanbul", StatsTimeUnit.None, StatsFields.Agent), [Calls, AgentDays, AgentBlocks, AgentDays, Calls]),
        new("by agent, 30 days cut at both ends", Query(s_cut, "Europe/Istanbul", StatsTimeUnit.None, StatsFields.Agent), [Calls, AgentDays, Calls]),
        new("by day, status filter (failed), two years", Query(s_twoYears, "Europe/Istanbul", StatsTimeUnit.Day, filter: f => f with { StatusMask = s_failed }), s_localDays),
        new("by day, status filter (completed, in-progress), cut ends", Query(s_cut, "Europe/Istanbul", StatsTimeUnit.Day, filter: f => f with { StatusMask = s_answeredStatuses }), [Calls, .. s_localDays, Calls]),
        new("by agent, agent and status filter, two years", Query(s_twoYears, "Europe/Istanbul", StatsTimeUnit.None, StatsFields.Agent, f => f with { AgentIds = [3], StatusMask = s_failed }), [Calls, AgentDays, AgentBlocks, AgentDays, Calls]),
        new("by day, agent filter, two years", Query(s_twoYears, "Europe/Istanbul", StatsTimeUnit.Day, filter: f => f with { AgentIds = [3] }), [Calls]),
        new("by day, status and agent filter, two years", Query(s_twoYears, "Europe/Istanbul", StatsTimeUnit.Day, filter: f => f with { AgentIds = [3], StatusMask = s_failed }), [Calls]),
        new("by day and agent, 30 days", Query(s_month, "Europe/Istanbul", StatsTimeUnit.Day, StatsFields.Agent), [Calls]),
        new("by day, to filter, two years", Query(s_twoYears, "Europe/Istanbul", StatsTimeUnit.Day, filter: f => f with { To = "+905321000017" }), [Calls]),
        new("by day, last 30 days, Asia/Kolkata (+05:30)", Query((Instant("2026-10-01T18:30:00Z"), Instant("2026-10-31T18:30:00Z")), "Asia/Kolkata", StatsTimeUnit.Day), [Calls]),
        new("by day, min_duration filter, 30 days", Query(s_month, "Europe/Istanbul", StatsTimeUnit.Day, filter: f => f with { MinDuration = 60 }), [Calls]),
        new("by direction, 30 days", Query(s_month, "Europe/Istanbul", StatsTimeUnit.None, StatsFields.Direction), [Calls]),
    ];

    public static TheoryData<string> Names() => [.. All.Select(c => c.Name)];

    public static Case Named(string name) => All.Single(c => c.Name == name);

    /// <summary>The table a part reads.</summary>
    internal static string SourceOf(StatsSql.Part part) =>
        new[] { Hours, Days, AgentDays, AgentBlocks }.FirstOrDefault(table => part.Sql.Contains($" FROM {table} ", StringComparison.Ordinal) || part.Sql.Contains($" JOIN {table} ", StringComparison.Ordinal)) ?? Calls;

    /// <summary>
    /// Shows the case's parts with their parameters and plans in the test's output and, when SALPRE_PLANS_OUT names a
    /// folder, writes them there too: one file per store and case (STORE-NN.md, NN the case's place in <see cref="All"/>),
    /// the case's name on its first line, then a blank line and a code block. bench/run.sh and bench/stores.sh put them in
    /// their reports.
    /// </summary>
    internal static void Report(string store, string name, IEnumerable<(StatsSql.Part Part, IReadOnlyList<string> Plan)> parts)
    {
        var text = new StringBuilder($"{name}\n\n```\n");
        var i = 0;
        foreach (var (part, plan) in parts)
        {
            using var bound = new Microsoft.Data.Sqlite.SqliteCommand();
            part.Bind(bound);
            var values = string.Join(", ", bound.Parameters.Cast<System.Data.Common.DbParameter>().Select(p => $"{p.ParameterName} = {p.Value}"));
            text.Append($"-- part {++i}: {SourceOf(part)}; {values}\n{part.Sql}\n");
            foreach (var line in plan) text.Append(line).Append('\n');
        }
        text.Append("```\n\n");
        TestContext.Current.TestOutputHelper?.WriteLine(text.ToString());
        if (Environment.GetEnvironmentVariable("SALPRE_PLANS_OUT") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            var index = All.ToList().FindIndex(c => c.Name == name);
            File.WriteAllText(Path.Combine(folder, $"{store}-{index:00}.md"), text.ToString());
        }
    }

    private static StatsQuery Query((long From, long Until) range, string zone, StatsTimeUnit unit, StatsFields fields = StatsFields.None, Func<CallFilter, CallFilter>? filter = null)
    {
        var callFilter = (filter ?? (f => f))(CallFilter.None with { StartedAtOrAfter = range.From, StartedBefore = range.Until });
        return new StatsQuery(callFilter, unit, Spans(TimeZoneInfo.FindSystemTimeZoneById(zone), range.From, range.Until), fields);
    }

    /// <summary>The zone's offsets over the range, as the gateway gives them (zones here change on whole hours).</summary>
    private static List<ZoneSpan> Spans(TimeZoneInfo zone, long from, long until)
    {
        var spans = new List<ZoneSpan> { new(from, Offset(zone, from)) };
        for (var hour = from - from % 3600 + 3600; hour < until; hour += 3600)
        {
            if (Offset(zone, hour) != spans[^1].OffsetSeconds) spans.Add(new ZoneSpan(hour, Offset(zone, hour)));
        }
        return spans;
    }

    private static int Offset(TimeZoneInfo zone, long unixSeconds) => (int)zone.GetUtcOffset(DateTimeOffset.FromUnixTimeSeconds(unixSeconds)).TotalSeconds;

    private static long Instant(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
}
