using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls;

/// <summary>
/// The list's filter parameters, which the statistics take too, with the same rules and error texts: status,
/// agent_id, direction, to, from, started_after, started_before, min_duration, max_duration, and tz (the zone that
/// a date-only bound means).
/// </summary>
public static class CallFilterParameters
{
    public const int MaxListItems = 100;
    public const int MaxTextLength = 256;

    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "status", "agent_id", "direction", "to", "from", "started_after", "started_before", "min_duration", "max_duration", "tz",
    };

    /// <summary>
    /// Parses the filter parameters, or names the first one that is invalid (checked in a fixed order).
    /// <paramref name="rawQuery"/> is the query string as sent, which tells an unescaped '+' from an escaped space
    /// (null for a browser's form, which escapes a '+' itself).
    /// </summary>
    public static string? Parse(IQueryCollection query, string? rawQuery, out CallFilter filter, out TimeZoneInfo zone)
    {
        filter = CallFilter.None;
        zone = TimeZoneInfo.Utc;

        if (!TryGetSingle(query, "tz", out var tzText)) return "tz";
        if (tzText is not null)
        {
            if (tzText.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(tzText, out var found)) return "tz";
            zone = found;
        }

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

        if (!TryGetText(query, rawQuery, "to", out var to)) return "to";
        if (!TryGetText(query, rawQuery, "from", out var from)) return "from";

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
    public static bool TryGetSingle(IQueryCollection query, string name, out string? value)
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
    /// An exact-match text filter. A phone number's unescaped '+' decodes to a space, so a value sent as '+' and digits
    /// is read as the '+' it was; a space sent escaped (%20) stays a space (an imported <c>from</c> may begin with one).
    /// </summary>
    private static bool TryGetText(IQueryCollection query, string? rawQuery, string name, out string? value)
    {
        if (!TryGetSingle(query, name, out value)) return false;
        if (value is null) return true;
        if (value is [' ', _, ..] && value.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0 && SentWithPlus(rawQuery, name))
        {
            value = string.Concat("+", value.AsSpan(1));
        }
        return value.Length is > 0 and <= MaxTextLength && Hosting.TextRules.IsName(value);
    }

    private static bool SentWithPlus(string? rawQuery, string name)
    {
        foreach (var pair in new QueryStringEnumerable(rawQuery))
        {
            if (pair.DecodeName().Span.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return pair.EncodedValue.Span is ['+', ..];
            }
        }
        return false;
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
    public static List<string> ListItems(IQueryCollection query, string name, out bool ok)
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
    public static bool TryParseNumber(string text, out long value)
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
