using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Salpre.Storage.Webhooks;
using static Salpre.Gateway.Calls.CallListOpenApi;

namespace Salpre.Gateway.Events;

/// <summary>The query parameters of the feed and of an endpoint's deliveries, read by hand like the list's.</summary>
public static class EventsOpenApi
{
    public static RouteHandlerBuilder WithFeedParameters(this RouteHandlerBuilder builder) => builder.WithQuery(
        PerPage("Events per page"),
        Query("after", "An event id (`evt_...`): the events after it. Any id works, even one past retention.",
            new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^evt_[0-9A-HJKMNP-TV-Z]{26}$" }, null),
        Query("cursor", "`meta.next_cursor` of the previous page: the following page with the same `type` filter.",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 1024 }, null),
        Query("type", $"One event type or a comma-separated list: {string.Join(", ", EventTypes.Subscribable)}.",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 2048 }, "call.completed,call.failed"),
        Query("order", "`asc` (default): oldest first, to follow the feed. `desc`: newest first (not with `after`).",
            new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("asc"), JsonValue.Create("desc")], Default = "asc" }, "desc"));

    public static RouteHandlerBuilder WithDeliveryParameters(this RouteHandlerBuilder builder) => builder.WithQuery(
        PerPage("Deliveries per page"),
        Query("cursor", "`meta.next_cursor` of the previous page (a delivery id): the older deliveries.",
            new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^dlv_[1-9][0-9]*$" }, null));

    private static OpenApiParameter PerPage(string what) => Query("per_page", $"{what}, 1 to 100 (default 10).",
        new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = "100", Default = 10 }, JsonValue.Create(10));

    private static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder builder, params OpenApiParameter[] parameters) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var parameter in parameters)
            {
                operation.Parameters.Add(parameter);
            }
            return Task.CompletedTask;
        });
}
