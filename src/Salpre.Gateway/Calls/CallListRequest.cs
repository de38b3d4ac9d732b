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

    // The filter's parameters and the list's own order, as a cursor carries them.
    private static readonly HashSet<string> s_filterNames = new(CallFilterParameters.Names, StringComparer.OrdinalIgnoreCase) { "order" };

    private static readonly HashSet<string> s_knownNames = new(s_filterNames, StringComparer.OrdinalIgnoreCase)
    {
        "per_page", "page", "cursor", "include_total",
    };

    /// <summary>Parses the query, or names the first parameter that is invalid (checked in a fixed order).</summary>
    public static bool TryParse(IQueryCollection query, string? rawQuery, long accountId, CallCursors cursors, out CallListRequest request, out string invalidParameter)
    {
        request = null!;
        invalidParameter = "";
        var result = Parse(query, rawQuery, accountId, cursors);
        if (result.Invalid is { } name)
        {
            invalidParameter = name;
            return false;
        }
        request = result.Request!;
        return true;
    }

    private static (CallListRequest? Request, string? Invalid) Parse(IQueryCollection query, string? rawQuery, long accountId, CallCursors cursors)
    {
        if (!CallFilterParameters.TryGetSingle(query, "per_page", out var perPageText)) return (null, "per_page");
        int? perPage = null;
        if (perPageText is not null)
        {
            if (!CallFilterParameters.TryParseNumber(perPageText, out var value) || value is < 1 or > MaxPerPage) return (null, "per_page");
            perPage = (int)value;
        }

        if (!CallFilterParameters.TryGetSingle(query, "page", out var pageText)) return (null, "page");
        long? page = null;
        if (pageText is not null)
        {
            if (!CallFilterParameters.TryParseNumber(pageText, out var value) || value is < 1 or > int.MaxValue) return (null, "page");
            page = value;
        }

        if (CallFilterParameters.Parse(query, rawQuery, out var filter, out _) is { } invalidFilter) return (null, invalidFilter);

        if (!CallFilterParameters.TryGetSingle(query, "order", out var orderText)) return (null, "order");
        var ascending = false;
        if (orderText is not null)
        {
            if (orderText == "asc") ascending = true;
            else if (orderText != "desc") return (null, "order");
        }

        if (!CallFilterParameters.TryGetSingle(query, "include_total", out var totalText)) return (null, "include_total");
        var includeTotal = false;
        if (totalText is not null)
        {
            if (totalText is "true" or "1") includeTotal = true;
            else if (totalText is not ("false" or "0")) return (null, "include_total");
        }

        if (!CallFilterParameters.TryGetSingle(query, "cursor", out var cursorText)) return (null, "cursor");
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

}
