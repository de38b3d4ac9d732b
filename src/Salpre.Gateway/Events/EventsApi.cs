using Microsoft.AspNetCore.Http.HttpResults;
using Salpre.Gateway.Calls;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Gateway.Webhooks;
using Salpre.Storage.Accounts;
using Salpre.Storage.Webhooks;

namespace Salpre.Gateway.Events;

/// <summary>
/// <c>GET /events</c>: the account's events, oldest first, from a cursor or an event id; every accepted change of a
/// call is one event, written in the change's own transaction, kept for <c>Events:Retention</c>.
/// </summary>
public static class EventsApi
{
    private static readonly HashSet<string> s_knownNames = new(StringComparer.OrdinalIgnoreCase) { "per_page", "after", "cursor", "type", "order" };

    public static WebApplicationBuilder AddGatewayEvents(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EventsOptions>().BindConfiguration(EventsOptions.Section);
        builder.Services.AddSingleton<DeliverySignal>();
        builder.Services.AddSingleton<IEventSink, GatewayEventSink>();
        builder.Services.AddSingleton<EventCursors>();
        builder.Services.AddSingleton<EventJanitor>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EventJanitor>());
        builder.Services.AddSingleton<DeviceEventSweeper>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DeviceEventSweeper>());
        return builder;
    }

    public static RouteGroupBuilder MapEvents(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/gateway/v1").WithTags("Events");
        group.MapGet("/events", ListEvents)
            .WithName("ListEvents")
            .WithSummary("List the account's events, oldest first")
            .WithDescription("Every accepted change of a call is one event (`call.initiated` ... `call.canceled`, and `call.deleted` " +
                             "with the call's id alone), as its webhook delivers it. Start from the beginning of what is kept (30 days), after an event (`after=evt_...`), or " +
                             "from `meta.next_cursor`; filter by `type` (one or a comma list). `order=desc` reads newest first (the " +
                             "latest events, or where to start following). An event's id and content never change.")
            .RequireScope(KeyScopes.Read)
            .WithFeedParameters();
        return group;
    }

    internal static async Task<Results<JsonOk<EventListResponse>, BadRequest<ErrorResponse>>> ListEvents(
        ApiCaller caller, HttpContext context, IWebhookStore store, EventCursors cursors, CancellationToken cancellationToken)
    {
        var (request, invalid) = Parse(context.Request.Query, caller.AccountId, cursors);
        if (request is null)
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, invalid!));
        }
        var (perPage, from, types, newestFirst, ignored) = request;
        var rows = newestFirst
            ? await store.ListNewestEventsAsync(caller.AccountId, from, types, perPage + 1, cancellationToken)
            : await store.ListEventsAsync(caller.AccountId, from, types, perPage + 1, cancellationToken);
        var hasNext = rows.Count > perPage;
        var items = rows.Take(perPage).Select(EventItem.Of).ToList();
        var next = hasNext ? cursors.Encode(caller.AccountId, new EventCursor(rows[perPage - 1].Position, perPage, types, newestFirst)) : null;
        return new JsonOk<EventListResponse>(new EventListResponse(items, new EventListMeta(perPage, hasNext, next, ignored)), GatewayJsonContext.Default.EventListResponse);
    }

    /// <summary><paramref name="From"/>: the position the page starts after (before, newest first).</summary>
    private sealed record FeedRequest(int PerPage, EventPosition From, IReadOnlyList<string> Types, bool NewestFirst, IReadOnlyList<string>? Ignored);

    /// <summary>Parses the query, or names the first parameter that is invalid (checked in a fixed order).</summary>
    private static (FeedRequest? Request, string? Invalid) Parse(IQueryCollection query, long accountId, EventCursors cursors)
    {
        if (!CallFilterParameters.TryGetSingle(query, "per_page", out var perPageText)) return (null, "per_page");
        int? perPage = null;
        if (perPageText is not null)
        {
            if (!CallFilterParameters.TryParseNumber(perPageText, out var value) || value is < 1 or > CallListRequest.MaxPerPage) return (null, "per_page");
            perPage = (int)value;
        }
        var typeItems = CallFilterParameters.ListItems(query, "type", out var typesOk);
        if (!typesOk || typeItems.Any(type => !EventTypes.IsKnown(type) || type == EventTypes.Test)) return (null, "type");
        IReadOnlyList<string> types = [.. typeItems.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

        if (!CallFilterParameters.TryGetSingle(query, "order", out var orderText) || orderText is not (null or "asc" or "desc")) return (null, "order");
        var newestFirst = orderText == "desc";

        // Newest first starts at the newest event; "after" belongs to reading forward.
        if (!CallFilterParameters.TryGetSingle(query, "after", out var afterText) || afterText is not null && newestFirst) return (null, "after");
        var after = newestFirst ? EventPosition.End : EventPosition.Start;
        if (afterText is not null && !EventIds.TryParse(afterText, out after)) return (null, "after");

        if (!CallFilterParameters.TryGetSingle(query, "cursor", out var cursorText)) return (null, "cursor");
        if (cursorText is not null)
        {
            // A cursor carries its position and filter; a request that repeats the filter must repeat it exactly.
            if (afterText is not null || !cursors.TryDecode(accountId, cursorText, out var cursor)
                || query.ContainsKey("type") && !types.SequenceEqual(cursor.Types)
                || orderText is not null && newestFirst != cursor.NewestFirst) return (null, "cursor");
            (after, types, newestFirst) = (cursor.After, cursor.Types, cursor.NewestFirst);
            perPage ??= cursor.PerPage;
        }
        var ignored = query.Keys.Where(name => !s_knownNames.Contains(name)).ToArray();
        return (new FeedRequest(perPage ?? CallListRequest.DefaultPerPage, after, types, newestFirst, ignored.Length == 0 ? null : ignored), null);
    }
}
