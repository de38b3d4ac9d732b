using Microsoft.AspNetCore.Http.HttpResults;
using Salpre.Gateway.Calls.Export;
using Salpre.Gateway.Calls.Removal;
using Salpre.Gateway.Calls.Stats;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls;

public static class CallsApi
{
    public static WebApplicationBuilder AddGatewayCalls(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallCursors>();
        builder.Services.AddOptions<ListPageCacheOptions>().BindConfiguration(ListPageCacheOptions.Section);
        builder.Services.AddSingleton<ListPageCache>();
        builder.Services.AddOptions<MakeCallOptions>().BindConfiguration(MakeCallOptions.Section);
        builder.Services.AddSingleton<MakeCallLimiter>();
        builder.Services.AddHostedService<IdempotencyKeyJanitor>();
        return builder.AddGatewayCallRemoval();
    }

    public static RouteGroupBuilder MapCalls(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/gateway/v1/call").WithTags("Calls");

        group.MapGet("/list", ListCalls)
            .WithName("ListCalls")
            .WithSummary("List calls, newest first")
            .WithDescription("A page of the account's calls with optional server-side filters. Page by `page` or, " +
                             "for deep and stable iteration, by the opaque `meta.next_cursor`.")
            .RequireScope(KeyScopes.Read)
            .WithCallListParameters();

        group.MapGet("/{id}", GetCall)
            .WithName("GetCall")
            .WithSummary("Get a call's details")
            .WithDescription("`id` is a call_id as listed (`c874`) or its number alone (`874`).")
            .RequireScope(KeyScopes.Read);

        group.MapCallStats();
        group.MapCallExport();
        group.MapMakeCall();
        group.MapCallEvents();
        group.MapCallRemoval(routes);
        return group;
    }

    internal static async Task<Results<ListPageResult, BadRequest<ErrorResponse>>> ListCalls(
        ApiCaller caller,
        HttpContext context,
        ICallStore calls,
        CallCursors cursors,
        ListPageCache pages,
        CancellationToken cancellationToken)
    {
        var queryString = context.Request.QueryString.Value ?? "";
        // A client that sends Cache-Control: no-cache gets the page read afresh (and kept for the next one).
        var wantsFresh = context.Request.Headers.CacheControl.ToString().Contains("no-cache", StringComparison.OrdinalIgnoreCase);
        if (pages.Enabled && !wantsFresh)
        {
            // A page kept for the current version of the account's calls is current: send it (or 304) as it is.
            var current = await calls.GetVersionAsync(caller.AccountId, cancellationToken);
            var currentTag = ListPageCache.ETag(caller.AccountId, current);
            if (context.Request.Headers.IfNoneMatch == currentTag)
            {
                return new ListPageResult([], currentTag, notModified: true);
            }
            if (pages.Find(caller.AccountId, queryString, current) is { } kept)
            {
                return new ListPageResult(kept, currentTag, notModified: false);
            }
        }

        if (!CallListRequest.TryParse(context.Request.Query, queryString, caller.AccountId, cursors, out var request, out var invalid))
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, invalid));
        }
        // The page comes with the version it was read at, in one request to the database.
        var (page, version) = await ReadPageAsync(caller.AccountId, request, calls, cursors, cancellationToken);
        if (!pages.Enabled)
        {
            return new ListPageResult(GatewayJsonBytes.Render(page, GatewayJsonContext.Default.CallListResponse), null, notModified: false);
        }
        var etag = ListPageCache.ETag(caller.AccountId, version);
        if (context.Request.Headers.IfNoneMatch == etag)
        {
            return new ListPageResult([], etag, notModified: true);
        }
        var body = GatewayJsonBytes.Render(page, GatewayJsonContext.Default.CallListResponse);
        // Pages reached by a cursor belong to a walk (an export, a sync) and are seldom read twice: keeping them
        // would push out the first pages that dashboards poll.
        if (request.After is null)
        {
            pages.Keep(caller.AccountId, queryString, version, body);
        }
        return new ListPageResult(body, etag, notModified: false);
    }

    /// <summary>A page of the list as the API answers it; the dashboard's calls page reads through this too.</summary>
    internal static async Task<(CallListResponse Page, long Version)> ReadPageAsync(
        long accountId, CallListRequest request, ICallStore calls, CallCursors cursors, CancellationToken cancellationToken)
    {
        // One row more than a page tells whether a next page exists.
        var query = new CallQuery(
            request.Filter,
            request.Ascending,
            request.After,
            Offset: request.After is null ? (request.Page - 1) * request.PerPage : 0,
            Limit: request.PerPage + 1);
        var (version, rows) = await calls.ListWithVersionAsync(accountId, query, cancellationToken);
        var hasNext = rows.Count > request.PerPage;
        var count = Math.Min(rows.Count, request.PerPage);

        var items = new CallItem[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = CallItem.Of(rows[i]);
        }

        string? nextCursor = null;
        if (hasNext)
        {
            var last = rows[count - 1];
            nextCursor = cursors.Encode(accountId, new CursorState(
                request.Page + 1, request.PerPage, request.Ascending, new CallPosition(last.StartedAt, last.CallNum), request.Filter));
        }

        long? total = request.IncludeTotal ? await calls.CountAsync(accountId, request.Filter, cancellationToken) : null;
        return (new CallListResponse(items, new CallListMeta(request.PerPage, request.Page, hasNext, nextCursor, total, request.IgnoredParameters)), version);
    }

    internal static async Task<Results<JsonOk<DataResponse<CallDetails>>, NotFound<ErrorResponse>>> GetCall(
        string id,
        ApiCaller caller,
        HttpContext context,
        ICallStore calls,
        CancellationToken cancellationToken)
    {
        // Unknown, malformed and other accounts' ids all answer the same way.
        var details = CallIds.TryParse(id, out var callNum)
            ? await calls.GetAsync(caller.AccountId, callNum, cancellationToken)
            : null;
        return details is null
            ? TypedResults.NotFound(ApiErrors.CallNotFound(context))
            : new JsonOk<DataResponse<CallDetails>>(new DataResponse<CallDetails>(CallDetails.Of(details)), GatewayJsonContext.Default.DataResponseCallDetails);
    }
}
