using System.Globalization;
using System.Text;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>Turns <see cref="CallListOptions"/> and <see cref="CallStatsOptions"/> into their query strings.</summary>
internal static class CallListQuery
{
    public static string Build(CallListOptions options)
    {
        var query = new StringBuilder();
        Add(query, "per_page", options.PerPage?.ToString(CultureInfo.InvariantCulture));
        Add(query, "page", options.Page?.ToString(CultureInfo.InvariantCulture));
        Add(query, "cursor", options.Cursor);
        AddFilters(query, options);
        Add(query, "order", options.Order?.ToWire());
        Add(query, "include_total", options.IncludeTotal ? "true" : null);
        return query.ToString();
    }

    /// <summary>The export's query string: the list's filters and order, then the format, details and resumption.</summary>
    public static string Build(CallExportOptions options, string? after)
    {
        var query = new StringBuilder();
        AddFilters(query, options);
        Add(query, "order", options.Order?.ToWire());
        Add(query, "format", "ndjson");
        Add(query, "include", options.IncludeDetails ? "details" : null);
        Add(query, "after", after);
        return query.ToString();
    }

    /// <summary>The statistics' query string: the list's filters, then <c>tz</c> and <c>group_by</c>.</summary>
    public static string Build(CallStatsOptions options)
    {
        var query = new StringBuilder();
        AddFilters(query, options);
        Add(query, "tz", options.TimeZone);
        if (options.GroupBy is { Count: > 0 } dimensions)
        {
            Add(query, "group_by", string.Join(',', dimensions.Select(dimension => dimension.ToWire())));
        }
        return query.ToString();
    }

    /// <summary>The filters the list and the statistics share, with the same names and rules.</summary>
    private static void AddFilters(StringBuilder query, CallFilterOptions options)
    {
        if (options.Statuses is { Count: > 0 } statuses)
        {
            Add(query, "status", string.Join(',', statuses.Select(status => status.ToWire())));
        }
        if (options.AgentIds is { Count: > 0 } agents)
        {
            Add(query, "agent_id", string.Join(',', agents.Select(agent => agent.ToString(CultureInfo.InvariantCulture))));
        }
        Add(query, "direction", options.Direction?.ToWire());
        Add(query, "to", options.To);
        Add(query, "from", options.From);
        Add(query, "started_after", Instant(options.StartedAfter));
        Add(query, "started_before", Instant(options.StartedBefore));
        Add(query, "min_duration", Seconds(options.MinDuration, roundUp: true));
        Add(query, "max_duration", Seconds(options.MaxDuration, roundUp: false));
    }

    // The API counts in whole seconds. A bound inside a second rounds towards the calls it admits, which keeps it
    // exact: started_after (inclusive), started_before (exclusive) and min_duration round up, max_duration down.
    private static string? Instant(DateTimeOffset? instant)
    {
        if (instant is not { } value)
        {
            return null;
        }
        var ticks = value.UtcTicks;
        var whole = ticks - ticks % TimeSpan.TicksPerSecond;
        if (whole != ticks)
        {
            whole += TimeSpan.TicksPerSecond;
        }
        return new DateTime(whole, DateTimeKind.Utc).ToString(UtcSecondsConverter.Format, CultureInfo.InvariantCulture);
    }

    private static string? Seconds(TimeSpan? duration, bool roundUp) =>
        duration is { } value
            ? ((long)(roundUp ? Math.Ceiling(value.TotalSeconds) : Math.Floor(value.TotalSeconds))).ToString(CultureInfo.InvariantCulture)
            : null;

    /// <summary>Appends <c>name=value</c> (escaped) unless the value is null.</summary>
    internal static void Add(StringBuilder query, string name, string? value)
    {
        if (value is null)
        {
            return;
        }
        query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }
}
