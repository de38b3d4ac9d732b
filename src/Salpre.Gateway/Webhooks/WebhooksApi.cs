using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Salpre.Gateway.Calls.Import;
using Salpre.Gateway.Events;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Storage.Accounts;
using Salpre.Storage.Webhooks;

namespace Salpre.Gateway.Webhooks;

/// <summary>
/// <c>/webhooks</c>: the account's endpoints (list and read with <c>read</c>, changes with <c>write</c>), their secrets,
/// a test event, their deliveries with every attempt, and retry and recovery of what failed.
/// </summary>
public static class WebhooksApi
{
    public const string NotFoundMessage = "Webhook not found. Please check the webhook ID.";
    public const string DeliveryNotFoundMessage = "Delivery not found. Please check the delivery ID.";
    public const int MaxUrlLength = 2048;
    public const int MaxDescriptionLength = 500;

    public static WebApplicationBuilder AddGatewayWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<NetworkGuard>();
        builder.Services.AddSingleton<IWebhookResolver, DnsWebhookResolver>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddHostedService<WebhookDispatcher>();
        return builder;
    }

    public static RouteGroupBuilder MapWebhooks(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/gateway/v1").WithTags("Webhooks");
        group.MapPost("/webhooks", Create).WithName("CreateWebhook").WithSummary("Create a webhook endpoint")
            .WithDescription("`{url, event_types?, description?, max_in_flight?}`: an `https` URL (`http` when `Webhooks:AllowHttp`), the event " +
                             "types it takes (default: every `call.*` type). The answer carries the signing `secret` (`whsec_...`), shown only now.")
            .Accepts<WebhookCreateBody>("application/json").RequireScope(KeyScopes.Write);
        group.MapGet("/webhooks", List).WithName("ListWebhooks").WithSummary("List the account's webhook endpoints").RequireScope(KeyScopes.Read);
        group.MapGet("/webhooks/{id}", Get).WithName("GetWebhook").WithSummary("Get a webhook endpoint").RequireScope(KeyScopes.Read);
        group.MapPatch("/webhooks/{id}", Update).WithName("UpdateWebhook").WithSummary("Change a webhook endpoint")
            .WithDescription("Any of `url`, `event_types`, `description`, `max_in_flight`, and `status` (`enabled` or `disabled`); enabling clears the reason and the failure clock.")
            .Accepts<WebhookPatchBody>("application/json").RequireScope(KeyScopes.Write);
        group.MapDelete("/webhooks/{id}", Delete).WithName("DeleteWebhook").WithSummary("Delete a webhook endpoint")
            .WithDescription("Its pending deliveries are canceled and never sent.").RequireScope(KeyScopes.Write);
        group.MapPost("/webhooks/{id}/rotate-secret", Rotate).WithName("RotateWebhookSecret").WithSummary("Give a webhook endpoint a new secret")
            .WithDescription("The answer carries the new `secret`. For 24 hours requests are signed with both secrets (two `v1,` signatures), then with the new one only.")
            .RequireScope(KeyScopes.Write);
        group.MapPost("/webhooks/{id}/test", Test).WithName("TestWebhook").WithSummary("Send a webhook.test event to an endpoint")
            .WithDescription("Queues a `webhook.test` event for this endpoint alone (it is not in the events feed); the answer is the event.")
            .RequireScope(KeyScopes.Write);
        group.MapGet("/webhooks/{id}/deliveries", Deliveries).WithName("ListWebhookDeliveries").WithSummary("List an endpoint's deliveries, newest first")
            .WithDescription("Each delivery with its status and every attempt: time, HTTP status, latency, error and the first 4 KB of the answer. Page with `per_page` and `cursor`.")
            .RequireScope(KeyScopes.Read).WithDeliveryParameters();
        group.MapPost("/webhooks/{id}/deliveries/{delivery_id}/retry", Retry).WithName("RetryWebhookDelivery").WithSummary("Send a delivery again now")
            .WithDescription("One more attempt, now, whatever the delivery's state; 409 while an attempt of it is being sent.")
            .RequireScope(KeyScopes.Write);
        group.MapPost("/webhooks/{id}/recover", Recover).WithName("RecoverWebhook").WithSummary("Send again what failed since a time")
            .WithDescription("`{since}` (an instant): every delivery of this endpoint that failed, made since then, is sent again.")
            .Accepts<RecoverBody>("application/json").RequireScope(KeyScopes.Write);
        return group;
    }

    internal static async Task<Results<JsonOk<DataResponse<WebhookItem>>, BadRequest<ErrorResponse>, Conflict<ErrorResponse>, JsonHttpResult<ErrorResponse>>> Create(
        ApiCaller caller, HttpContext context, IWebhookStore store, WebhookSecrets secrets, WebhookSender sender,
        IOptions<WebhookOptions> options, IOptions<EventsOptions> events, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, refusal) = await RequestBodies.ReadJsonAsync(context.Request, GatewayJsonContext.Default.WebhookCreateBody, cancellationToken);
        if (body is null)
        {
            return refusal!.ToResult(context);
        }
        if (await CheckUrlAsync(body.Url, sender, options.Value, cancellationToken) is { } badUrl)
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "url", badUrl));
        }
        if (!TryReadTypes(body.EventTypes, events.Value.DeviceEvents, out var types)) return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "event_types"));
        if (!IsDescription(body.Description)) return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "description"));
        if (body.MaxInFlight is < 1 or > 100) return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "max_in_flight"));

        var secret = WebhookSignature.NewSecret();
        var limit = options.Value.MaxEndpointsPerAccount;
        var endpoint = await store.CreateEndpointAsync(caller.AccountId,
            new NewEndpoint(body.Url!, body.Description, types ?? EventTypes.CallMask, body.MaxInFlight ?? options.Value.DefaultMaxInFlight, secrets.Seal(secret)),
            limit, cancellationToken);
        return endpoint is null
            ? TypedResults.Conflict(ApiErrors.Conflict(context, $"An account has at most {limit} webhook endpoints; delete one first"))
            : Answer(endpoint, time, secret);
    }

    internal static async Task<JsonOk<DataResponse<IReadOnlyList<WebhookItem>>>> List(
        ApiCaller caller, IWebhookStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        IReadOnlyList<WebhookItem> items = [.. (await store.ListEndpointsAsync(caller.AccountId, cancellationToken)).Select(e => WebhookItem.Of(e, now))];
        return new(new(items), GatewayJsonContext.Default.DataResponseIReadOnlyListWebhookItem);
    }

    internal static async Task<Results<JsonOk<DataResponse<WebhookItem>>, NotFound<ErrorResponse>>> Get(
        string id, ApiCaller caller, HttpContext context, IWebhookStore store, TimeProvider time, CancellationToken cancellationToken) =>
        WebhookIds.TryParse(id, out var endpointId) && await store.GetEndpointAsync(caller.AccountId, endpointId, cancellationToken) is { } endpoint
            ? Answer(endpoint, time)
            : TypedResults.NotFound(ApiErrors.NotFound(context, NotFoundMessage));

    internal static async Task<Results<JsonOk<DataResponse<WebhookItem>>, BadRequest<ErrorResponse>, NotFound<ErrorResponse>, JsonHttpResult<ErrorResponse>>> Update(
        string id, ApiCaller caller, HttpContext context, IWebhookStore store, WebhookSender sender, IOptions<WebhookOptions> options,
        IOptions<EventsOptions> events, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!WebhookIds.TryParse(id, out var endpointId) || await store.GetEndpointAsync(caller.AccountId, endpointId, cancellationToken) is null)
        {
            return TypedResults.NotFound(ApiErrors.NotFound(context, NotFoundMessage));
        }
        var (body, refusal) = await RequestBodies.ReadJsonAsync(context.Request, GatewayJsonContext.Default.WebhookPatchBody, cancellationToken);
        if (body is null)
        {
            return refusal!.ToResult(context);
        }
        if (body.Url is not null && await CheckUrlAsync(body.Url, sender, options.Value, cancellationToken) is { } badUrl)
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "url", badUrl));
        }
        if (!TryReadTypes(body.EventTypes, events.Value.DeviceEvents, out var types)) return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "event_types"));
        if (!IsDescription(body.Description)) return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "description"));
        if (body.MaxInFlight is < 1 or > 100) return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "max_in_flight"));
        if (body.Status is not (null or "enabled" or "disabled")) return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "status"));

        var change = new EndpointChange(body.Url, body.Description, types, body.Status is null ? null : body.Status == "enabled", body.MaxInFlight);
        return await store.UpdateEndpointAsync(caller.AccountId, endpointId, change, cancellationToken) is { } endpoint
            ? Answer(endpoint, time)
            : TypedResults.NotFound(ApiErrors.NotFound(context, NotFoundMessage));
    }

    internal static async Task<Results<JsonOk<DataResponse<DeletedResult>>, NotFound<ErrorResponse>>> Delete(
        string id, ApiCaller caller, HttpContext context, IWebhookStore store, CancellationToken cancellationToken) =>
        WebhookIds.TryParse(id, out var endpointId) && await store.DeleteEndpointAsync(caller.AccountId, endpointId, cancellationToken)
            ? new JsonOk<DataResponse<DeletedResult>>(new(new DeletedResult(id, Deleted: true)), GatewayJsonContext.Default.DataResponseDeletedResult)
            : TypedResults.NotFound(ApiErrors.NotFound(context, NotFoundMessage));

    internal static async Task<Results<JsonOk<DataResponse<WebhookItem>>, NotFound<ErrorResponse>>> Rotate(
        string id, ApiCaller caller, HttpContext context, IWebhookStore store, WebhookSecrets secrets, IOptions<WebhookOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var secret = WebhookSignature.NewSecret();
        var expires = (time.GetUtcNow() + options.Value.RotationOverlap).ToUnixTimeMilliseconds();
        return WebhookIds.TryParse(id, out var endpointId)
               && await store.RotateSecretAsync(caller.AccountId, endpointId, secrets.Seal(secret), expires, cancellationToken) is { } endpoint
            ? Answer(endpoint, time, secret)
            : TypedResults.NotFound(ApiErrors.NotFound(context, NotFoundMessage));
    }

    internal static async Task<Results<JsonOk<DataResponse<EventItem>>, NotFound<ErrorResponse>>> Test(
        string id, ApiCaller caller, HttpContext context, IWebhookStore store, DeliverySignal signal, TimeProvider time, CancellationToken cancellationToken)
    {
        var data = System.Text.Encoding.UTF8.GetString(GatewayJsonBytes.Render(
            new TestEventData(id, "A test event from Salpre Gateway."), GatewayJsonContext.Default.TestEventData));
        if (!WebhookIds.TryParse(id, out var endpointId) || await store.AddTestEventAsync(caller.AccountId, endpointId, data, cancellationToken) is not { } position)
        {
            return TypedResults.NotFound(ApiErrors.NotFound(context, NotFoundMessage));
        }
        signal.Set();
        var item = EventItem.Of(new EventRecord(position, EventTypes.Test, time.GetUtcNow().ToUnixTimeMilliseconds(), data));
        return new JsonOk<DataResponse<EventItem>>(new(item), GatewayJsonContext.Default.DataResponseEventItem);
    }

    internal static async Task<Results<JsonOk<DeliveryListResponse>, BadRequest<ErrorResponse>, NotFound<ErrorResponse>>> Deliveries(
        string id, ApiCaller caller, HttpContext context, IWebhookStore store, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var perPage = Calls.CallListRequest.DefaultPerPage;
        if (!Calls.CallFilterParameters.TryGetSingle(query, "per_page", out var perPageText)
            || perPageText is not null && (!Calls.CallFilterParameters.TryParseNumber(perPageText, out var value) || value is < 1 or > Calls.CallListRequest.MaxPerPage
                                          || (perPage = (int)value) == 0))
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "per_page"));
        }
        var before = long.MaxValue;
        if (!Calls.CallFilterParameters.TryGetSingle(query, "cursor", out var cursor) || cursor is not null && !WebhookIds.TryParseDelivery(cursor, out before))
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "cursor"));
        }
        if (!WebhookIds.TryParse(id, out var endpointId)
            || await store.ListDeliveriesAsync(caller.AccountId, endpointId, before, perPage + 1, cancellationToken) is not { } rows)
        {
            return TypedResults.NotFound(ApiErrors.NotFound(context, NotFoundMessage));
        }
        var hasNext = rows.Count > perPage;
        var items = rows.Take(perPage).Select(DeliveryItem.Of).ToList();
        var next = hasNext ? items[^1].Id : null;
        return new JsonOk<DeliveryListResponse>(new DeliveryListResponse(items, new EventListMeta(perPage, hasNext, next, null)),
            GatewayJsonContext.Default.DeliveryListResponse);
    }

    internal static async Task<Results<JsonOk<DataResponse<RetriedResult>>, NotFound<ErrorResponse>, Conflict<ErrorResponse>>> Retry(
        string id, string delivery_id, ApiCaller caller, HttpContext context, IWebhookStore store, DeliverySignal signal, CancellationToken cancellationToken)
    {
        if (!WebhookIds.TryParse(id, out var endpointId) || await store.GetEndpointAsync(caller.AccountId, endpointId, cancellationToken) is null)
        {
            return TypedResults.NotFound(ApiErrors.NotFound(context, NotFoundMessage));
        }
        var retry = WebhookIds.TryParseDelivery(delivery_id, out var deliveryId)
            ? await store.RetryDeliveryAsync(caller.AccountId, endpointId, deliveryId, cancellationToken)
            : DeliveryRetry.NotFound;
        switch (retry)
        {
            case DeliveryRetry.NotFound:
                return TypedResults.NotFound(ApiErrors.NotFound(context, DeliveryNotFoundMessage));
            case DeliveryRetry.InFlight:
                return TypedResults.Conflict(ApiErrors.Conflict(context, "This delivery is being sent now; retry it once the attempt ends"));
        }
        signal.Set();
        return new JsonOk<DataResponse<RetriedResult>>(new(new RetriedResult(delivery_id, "pending")), GatewayJsonContext.Default.DataResponseRetriedResult);
    }

    internal static async Task<Results<JsonOk<DataResponse<RecoverResult>>, BadRequest<ErrorResponse>, NotFound<ErrorResponse>, JsonHttpResult<ErrorResponse>>> Recover(
        string id, ApiCaller caller, HttpContext context, IWebhookStore store, DeliverySignal signal, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!WebhookIds.TryParse(id, out var endpointId) || await store.GetEndpointAsync(caller.AccountId, endpointId, cancellationToken) is null)
        {
            return TypedResults.NotFound(ApiErrors.NotFound(context, NotFoundMessage));
        }
        var (body, refusal) = await RequestBodies.ReadJsonAsync(context.Request, GatewayJsonContext.Default.RecoverBody, cancellationToken);
        if (body is null)
        {
            return refusal!.ToResult(context);
        }
        if (body.Since is null || !CallValidation.TryParseInstant(body.Since, out var since) || since > time.GetUtcNow().ToUnixTimeSeconds())
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "since"));
        }
        var recovered = await store.RecoverAsync(caller.AccountId, endpointId, since * 1000, cancellationToken) ?? 0;
        signal.Set();
        return new JsonOk<DataResponse<RecoverResult>>(new(new RecoverResult(recovered)), GatewayJsonContext.Default.DataResponseRecoverResult);
    }

    private static JsonOk<DataResponse<WebhookItem>> Answer(EndpointRecord endpoint, TimeProvider time, string? secret = null) =>
        new(new(WebhookItem.Of(endpoint, time.GetUtcNow(), secret)), GatewayJsonContext.Default.DataResponseWebhookItem);

    /// <summary>Why a URL cannot be an endpoint, or null when it can: the scheme, user-info, and where its host resolves now.</summary>
    private static async Task<string?> CheckUrlAsync(string? text, WebhookSender sender, WebhookOptions options, CancellationToken cancellationToken)
    {
        if (text is null || text.Length > MaxUrlLength || !Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Host.Length == 0)
        {
            return "an absolute https URL is needed";
        }
        if (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && options.AllowHttp))
        {
            return options.AllowHttp ? "only http and https URLs are taken" : "only https URLs are taken (Webhooks:AllowHttp allows http)";
        }
        if (url.UserInfo.Length > 0)
        {
            return "a URL may not carry a user name or password";
        }
        if (url.Fragment.Length > 0)
        {
            return "a URL may not carry a fragment";
        }
        try
        {
            var (_, refusal) = await sender.CheckHostAsync(url.IdnHost, cancellationToken);
            return refusal is null ? null : $"{refusal}, which webhooks may not reach (Webhooks:AllowedNetworks can allow it)";
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null; // a name that does not resolve now may later; every delivery checks again
        }
    }

    /// <summary>Known types an endpoint may take: device events only while they are made (an endpoint cannot wait for what never comes).</summary>
    private static bool TryReadTypes(IReadOnlyList<string>? names, bool deviceEvents, out long? mask)
    {
        mask = null;
        if (names is null)
        {
            return true;
        }
        if (names.Count == 0 || names.Any(name => name is null || name == EventTypes.Test || !EventTypes.IsKnown(name)
                                                  || !deviceEvents && name.StartsWith("device.", StringComparison.Ordinal)))
        {
            return false;
        }
        mask = EventTypes.MaskOf(names);
        return true;
    }

    private static bool IsDescription(string? text) => text is null || text.Length <= MaxDescriptionLength && TextRules.IsFreeText(text);
}
