using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Salpre.Gateway.Calls;
using Salpre.Gateway.Calls.Stats;
using Salpre.Gateway.Keys;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Dashboard;

/// <summary>
/// The overview's numbers, every one of them counted by the statistics endpoint's own code for a query the API takes
/// as it is (<see cref="StatsQuery"/> shows it): the range's totals and the previous range's of equal length, calls per
/// day by status, per agent, and by weekday and hour.
/// </summary>
public sealed record OverviewView(
    string Range,
    TimeZoneInfo Zone,
    DateOnly First,
    DateOnly Last,
    string StatsQuery,
    string PreviousStatsQuery,
    CallStats Totals,
    CallStats Previous,
    CallStats Days,
    CallStats Agents,
    CallStats Heat)
{
    public static readonly string[] Ranges = ["today", "7d", "30d", "custom"];

    /// <summary>The overview, or the name of the parameter that is invalid.</summary>
    public static async Task<(OverviewView? View, string? Invalid)> ReadAsync(
        IQueryCollection query, ApiCaller caller, ICallStore calls, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (CallFilterParameters.Parse(new QueryCollection(query.Where(p => p.Key == "tz").ToDictionary()), rawQuery: null, out _, out var zone) is { } badZone)
        {
            return (null, badZone);
        }
        var range = query["range"].ToString() is { Length: > 0 } asked ? asked : "7d";
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        DateOnly first, until;
        switch (range)
        {
            case "today": (first, until) = (today, today.AddDays(1)); break;
            case "7d": (first, until) = (today.AddDays(-6), today.AddDays(1)); break;
            case "30d": (first, until) = (today.AddDays(-29), today.AddDays(1)); break;
            case "custom":
                if (!TryDate(query["started_after"], out first)) return (null, "started_after");
                if (!TryDate(query["started_before"], out until) || until <= first || until.DayNumber - first.DayNumber > 366) return (null, "started_before");
                break;
            default: return (null, "range");
        }
        var days = until.DayNumber - first.DayNumber;
        var statsQuery = Query(first, until, zone, null);
        var previousQuery = Query(first.AddDays(-days), first, zone, null);
        var totals = await CountAsync(statsQuery, caller, calls, now, cancellationToken);
        var previous = await CountAsync(previousQuery, caller, calls, now, cancellationToken);
        var byDay = await CountAsync(Query(first, until, zone, "day,status"), caller, calls, now, cancellationToken);
        var byAgent = await CountAsync(Query(first, until, zone, "agent_id"), caller, calls, now, cancellationToken);
        var heat = await CountAsync(Query(first, until, zone, "weekday,hour_of_day"), caller, calls, now, cancellationToken);
        return (new OverviewView(range, zone, first, until.AddDays(-1), statsQuery, previousQuery, totals, previous, byDay, byAgent, heat), null);
    }

    /// <summary>A query string of the statistics endpoint: the range as days of the zone, and a grouping.</summary>
    public static string Query(DateOnly first, DateOnly until, TimeZoneInfo zone, string? groupBy)
    {
        var values = new Dictionary<string, string?>
        {
            ["started_after"] = first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["started_before"] = until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["tz"] = zone.Id,
        };
        if (groupBy is not null) values["group_by"] = groupBy;
        return QueryHelpers.AddQueryString("", values).TrimStart('?');
    }

    private static async Task<CallStats> CountAsync(string queryString, ApiCaller caller, ICallStore calls, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var query = new QueryCollection(QueryHelpers.ParseQuery(queryString));
        if (!CallStatsRequest.TryParse(query, rawQuery: null, now, out var request, out var invalid))
        {
            throw new InvalidOperationException($"The overview made a statistics query the API refuses ({invalid}): {queryString}");
        }
        return await CallStatsEndpoint.CountAsync(caller.AccountId, request, calls, cancellationToken)
               ?? throw new InvalidOperationException($"Too many groups: {queryString}");
    }

    private static bool TryDate(StringValues text, out DateOnly date) =>
        DateOnly.TryParseExact(text.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>The change from the previous range, as text with its sign ("+12%", "−3", "no change").</summary>
    public static string Change(double? now, double? before, bool percent)
    {
        if (now is not { } current || before is not { } previous) return "no previous data";
        var delta = current - previous;
        if (Math.Abs(delta) < 1e-9) return "no change";
        var sign = delta > 0 ? "+" : "−";
        return percent
            ? sign + (Math.Abs(delta) * 100).ToString("0.0", CultureInfo.InvariantCulture) + " pts"
            : sign + Math.Abs(delta).ToString("0.#", CultureInfo.InvariantCulture);
    }
}
