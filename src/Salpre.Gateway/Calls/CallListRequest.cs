using System.Globalization;
using Microsoft.Extensions.Primitives;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls;

/// <summary>A validated <c>GET /call/list</c> query: page size and position, filter, order, and what was ignored.</summary>
public sealed record CallListRequest(
    int PerPage,
    long Page,
    CallFilter Filter,
    bool Ascending,
    CallPosition? After,
    bool IncludeTotal,
    IReadOnlyList<string>? IgnoredParameters)
{
    public const int DefaultPerPage = 10;
    public const int MaxPerPage = 100;
    public const int MaxListItems = 100;
    public const int MaxTextLength = 256;

    private static readonly HashSet<string> s_filterNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "status", "agent_id", "direction", "to", "from", "started_after", "started_before",
        "min_duration", "max_duration", "order", "tz",
    };

    private static readonly HashSet<string> s_knownNames = new(s_filterNames, StringComparer.OrdinalIgnoreCase)
    {
        "per_page", "page", "cursor", "include_total",
    };

    /// <summary>Parses the query, or names the first parameter that is invalid (checked in a fixed order).</summary>
    public static bool TryParse(IQueryCollection query, long accountId, CallCursors cursors, out CallListRequest request, out string invalidParameter)
    {
        request = null!;
        invalidParameter = "";
        var result = Parse(query, accountId, cursors);
        if (result.Invalid is { } name)
        {
            invalidParameter = name;
            return false;
        }
        request = result.Request!;
        return true;
    }

    private static (CallListRequest? Request, string? Invalid) Parse(IQueryCollection query, long accountId, CallCursors cursors)
    {
        if (!TryGetSingle(query, "per_page", out var perPageText)) return (null, "per_page");
        int? perPage = null;
        if (perPageText is not null)
        {
            if (!TryParseNumber(perPageText, out var value) || value is < 1 or > MaxPerPage) return (null, "per_page");
            perPage = (int)value;
        }

        if (!TryGetSingle(query, "page", out var pageText)) return (null, "page");
        long? page = null;
        if (pageText is not null)
        {
            if (!TryParseNumber(pageText, out var value) || value is < 1 or > int.MaxValue) return (null, "page");
            page = value;
        }

        if (ParseFilter(query, out var filter, out var ascending) is { } invalidFilter) return (null, invalidFilter);

        if (!TryGetSingle(query, "include_total", out var totalText)) return (null, "include_total");
        var includeTotal = false;
        if (totalText is not null)
        {
            if (totalText is "true" or "1") includeTotal = true;
            else if (totalText is not ("false" or "0")) return (null, "include_total");
        }

        if (!TryGetSingle(query, "cursor", out var cursorText)) return (null, "cursor");
        CallPosition? after = null;
        if (cursorText is not null)
        {
            if (!cursors.TryDecode(accountId, cursorText, out var state)) return (null, "cursor");
            // A cursor carries its filter and order; a request that repeats them must repeat them exactly.
            var restatesFilter = query.Keys.Any(s_filterNames.Contains);
            if (restatesFilter && (!filter.Equals(state.Filter) || ascending != state.Ascending)) return (null, "cursor");
            if (page is not null && page != state.Page) return (null, "page");
            (filter, ascending, page, after) = (state.Filter, state.Ascending, state.Page, state.After);
            perPage ??= state.PerPage;
        }

        var ignored = query.Keys.Where(name => !s_knownNames.Contains(name)).ToArray();
        return (new CallListRequest(
            perPage ?? DefaultPerPage,
            page ?? 1,
            filter,
            ascending,
            after,
            includeTotal,
            ignored.Length == 0 ? null : ignored), null);
    }

    private static string? ParseFilter(IQueryCollection query, out CallFilter filter, out bool ascending)
    {
        filter = CallFilter.None;
        ascending = false;

        if (!TryGetSingle(query, "tz", out var tzText)) return "tz";
        var zone = TimeZoneInfo.Utc;
        if (tzText is not null && (tzText.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(tzText, out zone))) return "tz";

        var statusMask = 0;
        var statuses = ListItems(query, "status", out var statusOk);
        if (!statusOk) return "status";
        foreach (var item in statuses)
        {
            if (!CallStatuses.TryParse(item, out CallStatus status)) return "status";
            statusMask |= 1 << (int)status;
        }

        var agents = new SortedSet<long>();
        var agentItems = ListItems(query, "agent_id", out var agentsOk);
        if (!agentsOk) return "agent_id";
        foreach (var item in agentItems)
        {
            if (!TryParseNumber(item, out var agent)) return "agent_id";
            agents.Add(agent);
        }

        if (!TryGetSingle(query, "direction", out var directionText)) return "direction";
        CallDirection? direction = null;
        if (directionText is not null)
        {
            if (!CallStatuses.TryParse(directionText, out CallDirection parsed)) return "direction";
            direction = parsed;
        }

        if (!TryGetText(query, "to", out var to)) return "to";
        if (!TryGetText(query, "from", out var from)) return "from";

        if (!TryGetSingle(query, "started_after", out var afterText)) return "started_after";
        long? startedAfter = null;
        if (afterText is not null)
        {
            if (!Instants.TryParseBound(afterText, zone, out var value)) return "started_after";
            startedAfter = value;
        }

        if (!TryGetSingle(query, "started_before", out var beforeText)) return "started_before";
        long? startedBefore = null;
        if (beforeText is not null)
        {
            if (!Instants.TryParseBound(beforeText, zone, out var value)) return "started_before";
            startedBefore = value;
        }

        if (!TryGetDuration(query, "min_duration", out var minDuration)) return "min_duration";
        if (!TryGetDuration(query, "max_duration", out var maxDuration)) return "max_duration";

        if (!TryGetSingle(query, "order", out var orderText)) return "order";
        if (orderText is not null)
        {
            if (orderText == "asc") ascending = true;
            else if (orderText != "desc") return "order";
        }

        filter = new CallFilter
        {
            StatusMask = statusMask,
            AgentIds = [.. agents],
            Direction = direction,
            To = to,
            From = from,
            StartedAtOrAfter = startedAfter,
            StartedBefore = startedBefore,
            MinDuration = minDuration,
            MaxDuration = maxDuration,
        };
        return null;
    }

    /// <summary>False when the parameter is given more than once; <paramref name="value"/> is null when absent.</summary>
    private static bool TryGetSingle(IQueryCollection query, string name, out string? value)
    {
        value = null;
        if (!query.TryGetValue(name, out var values))
        {
            return true;
        }
        if (values.Count != 1)
        {
            return false;
        }
        value = values[0] ?? "";
        return true;
    }

    /// <summary>
    /// An exact-match text filter. A space before digits alone is read as '+', the usual fate of the unescaped '+' of a
    /// phone number; any other value is matched as it is (an imported <c>from</c> may begin with a space).
    /// </summary>
    private static bool TryGetText(IQueryCollection query, string name, out string? value)
    {
        if (!TryGetSingle(query, name, out value)) return false;
        if (value is null) return true;
        if (value is [' ', _, ..] && value.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            value = string.Concat("+", value.AsSpan(1));
        }
        return value.Length is > 0 and <= MaxTextLength && Hosting.TextRules.IsName(value);
    }

    private static bool TryGetDuration(IQueryCollection query, string name, out long? value)
    {
        value = null;
        if (!TryGetSingle(query, name, out var text)) return false;
        if (text is null) return true;
        if (!TryParseNumber(text, out var parsed) || parsed > int.MaxValue) return false;
        value = parsed;
        return true;
    }

    /// <summary>The items of a list parameter: comma-separated, and the parameter may also be repeated.</summary>
    private static List<string> ListItems(IQueryCollection query, string name, out bool ok)
    {
        var items = new List<string>();
        ok = true;
        if (!query.TryGetValue(name, out StringValues values))
        {
            return items;
        }
        foreach (var value in values)
        {
            foreach (var item in (value ?? "").Split(','))
            {
                items.Add(item);
            }
        }
        ok = items.Count is > 0 and <= MaxListItems;
        return items;
    }

    /// <summary>A plain non-negative integer: ASCII digits only, no sign, no spaces, at most 18 digits.</summary>
    private static bool TryParseNumber(string text, out long value)
    {
        value = 0;
        if (text.Length is 0 or > 18)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
