using Microsoft.AspNetCore.Http.HttpResults;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls;

public static class CallsApi
{
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

        return group;
    }

    internal static async Task<Results<JsonOk<CallListResponse>, BadRequest<ErrorResponse>>> ListCalls(
        ApiCaller caller,
        HttpContext context,
        ICallStore calls,
        CallCursors cursors,
        CancellationToken cancellationToken)
    {
        if (!CallListRequest.TryParse(context.Request.Query, caller.AccountId, cursors, out var request, out var invalid))
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, invalid));
        }

        // One row more than a page tells whether a next page exists.
        var query = new CallQuery(
            request.Filter,
            request.Ascending,
            request.After,
            Offset: request.After is null ? (request.Page - 1) * request.PerPage : 0,
            Limit: request.PerPage + 1);
        var rows = await calls.ListAsync(caller.AccountId, query, cancellationToken);
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
            nextCursor = cursors.Encode(caller.AccountId, new CursorState(
                request.Page + 1, request.PerPage, request.Ascending, new CallPosition(last.StartedAt, last.CallNum), request.Filter));
        }

        long? total = request.IncludeTotal ? await calls.CountAsync(caller.AccountId, request.Filter, cancellationToken) : null;
        var meta = new CallListMeta(request.PerPage, request.Page, hasNext, nextCursor, total, request.IgnoredParameters);
        return new JsonOk<CallListResponse>(new CallListResponse(items, meta), GatewayJsonContext.Default.CallListResponse);
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
