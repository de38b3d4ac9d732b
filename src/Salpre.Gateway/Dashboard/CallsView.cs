using Microsoft.Extensions.Primitives;
using Salpre.Gateway.Calls;
using Salpre.Gateway.Keys;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Dashboard;

/// <summary>
/// The calls page's data, read through the list's own code: the address's query string is the API's
/// (<c>status</c>, <c>agent_id</c>, ..., <c>tz</c>, <c>cursor</c>), parsed by <see cref="CallListRequest"/> and read by
/// the same page reader, with the total always counted. Previous is a cursor too, made by reading back from the
/// page's first call.
/// </summary>
public sealed record CallsView(
    CallListRequest Request,
    CallListResponse Page,
    TimeZoneInfo Zone,
    IReadOnlyDictionary<string, string> Query,
    string? NextLink,
    string? PreviousLink)
{
    /// <summary>The page, or the name of the parameter the API would refuse.</summary>
    public static async Task<(CallsView? View, string? Invalid)> ReadAsync(
        IQueryCollection query, ApiCaller caller, ICallStore calls, CallCursors cursors, CancellationToken cancellationToken)
    {
        var withTotal = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in query)
        {
            withTotal[name] = value;
        }
        withTotal["include_total"] = "true";
        if (!CallListRequest.TryParse(new QueryCollection(withTotal), rawQuery: null, caller.AccountId, cursors, out var request, out var invalid))
        {
            return (null, invalid);
        }
        CallFilterParameters.Parse(query, rawQuery: null, out _, out var zone);
        var (page, _) = await CallsApi.ReadPageAsync(caller.AccountId, request, calls, cursors, cancellationToken);

        // The address without paging: filters, order, zone and page size, as they came.
        var kept = query.Where(pair => pair.Key is not ("cursor" or "page" or "include_total"))
            .ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var next = page.Meta.NextCursor is { } cursor ? Link(kept, cursor) : null;
        var previous = request.After is null
            ? null
            : await PreviousAsync(caller.AccountId, request, page, kept, calls, cursors, cancellationToken);
        return (new CallsView(request, page, zone, kept, next, previous), null);
    }

    /// <summary>The address of this list with other values for some parameters (null removes one).</summary>
    public string With(params (string Name, string? Value)[] changes)
    {
        var values = new Dictionary<string, string>(Query, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in changes)
        {
            if (value is null) values.Remove(name);
            else values[name] = value;
        }
        return DashboardFormat.Address(DashboardPaths.Calls, values);
    }

    private static string Link(IReadOnlyDictionary<string, string> kept, string? cursor)
    {
        var values = new Dictionary<string, string>(kept, StringComparer.OrdinalIgnoreCase);
        if (cursor is not null) values["cursor"] = cursor;
        return DashboardFormat.Address(DashboardPaths.Calls, values);
    }

    /// <summary>
    /// The page before a cursor page: the calls just before its first one, read in the other order. One more than a
    /// page tells where the page before begins; with fewer, it is the first page, which needs no cursor.
    /// </summary>
    private static async Task<string> PreviousAsync(long accountId, CallListRequest request, CallListResponse page,
        IReadOnlyDictionary<string, string> kept, ICallStore calls, CallCursors cursors, CancellationToken cancellationToken)
    {
        if (request.Page <= 2 || page.Data.Count == 0)
        {
            return Link(kept, null);
        }
        var first = page.Data[0];
        var firstPosition = new CallPosition(first.StartedAt.ToUnixTimeSeconds(), CallNumber(first.CallId));
        var back = await calls.ListAsync(accountId,
            new CallQuery(request.Filter, !request.Ascending, firstPosition, 0, request.PerPage + 1), cancellationToken);
        if (back.Count <= request.PerPage)
        {
            return Link(kept, null);
        }
        var before = back[request.PerPage];
        var cursor = cursors.Encode(accountId, new CursorState(
            request.Page - 1, request.PerPage, request.Ascending, new CallPosition(before.StartedAt, before.CallNum), request.Filter));
        return Link(kept, cursor);
    }

    private static long CallNumber(string callId) => CallIds.TryParse(callId, out var number) ? number : 0;
}
