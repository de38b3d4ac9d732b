using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Salpre.Gateway.Calls;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Hosting;

/// <summary>
/// Tells the OpenAPI generator what the custom converters and envelopes really write: statuses as their contract
/// names, times as <c>yyyy-MM-ddTHH:mm:ssZ</c>, a constant <c>status</c> first in every envelope, and which fields
/// are left out when empty.
/// </summary>
internal static class WireSchemas
{
    private const string UtcSecondsPattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$";
    private const string UtcMillisecondsPattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$";

    public static Task Describe(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(CallStatus))
        {
            SetEnum(schema, Enumerable.Range(0, CallStatuses.Count).Select(i => ((CallStatus)i).ToWire()));
        }
        else if (type == typeof(CallDirection))
        {
            SetEnum(schema, ["outbound", "inbound"]);
        }
        else if (type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?))
        {
            schema.Type = type == typeof(DateTimeOffset) ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "date-time";
            schema.Pattern = UtcSecondsPattern;
        }
        else if (type == typeof(Calls.Stats.StatsMeasures) || type == typeof(Calls.Stats.CallStats) || type == typeof(Calls.Stats.CallStatsMeta))
        {
            Calls.Stats.CallStatsOpenApi.Describe(schema, type);
        }
        else if (type == typeof(Events.RawJson))
        {
            schema.Type = JsonSchemaType.Object;
            schema.Properties = null;
            schema.Description = "The event's data. For `call.*` events: the call object as the list shows it, then `previous_status` " +
                                 "(null for a new call) and `sequence` (grows with each change of the call; 0 for an imported call).";
        }
        else if (type == typeof(Events.EventItem) || type == typeof(Webhooks.AttemptItem))
        {
            if (schema.Properties?[type == typeof(Events.EventItem) ? "timestamp" : "at"] is OpenApiSchema instant)
            {
                instant.Pattern = UtcMillisecondsPattern;
            }
        }
        else if (type == typeof(Events.EventListMeta))
        {
            schema.Required?.Remove("ignored_parameters");
        }
        else if (type == typeof(Webhooks.WebhookItem))
        {
            schema.Required?.Remove("secret");
        }
        else if (type == typeof(CallListResponse) || type == typeof(Calls.Stats.CallStatsResponse) || type == typeof(Events.EventListResponse)
                 || type == typeof(Webhooks.DeliveryListResponse) || type.IsGenericType && type.GetGenericTypeDefinition() == typeof(DataResponse<>))
        {
            SetStatus(schema, "success");
        }
        else if (type == typeof(ErrorResponse))
        {
            SetStatus(schema, "error");
            schema.Required?.Remove("param");
        }
        else if (type == typeof(CallListMeta))
        {
            schema.Required?.Remove("total");
            schema.Required?.Remove("ignored_parameters");
        }
        else if (type == typeof(CallItem) || type == typeof(CallDetails))
        {
            if (schema.Properties?["call_id"] is OpenApiSchema callId)
            {
                callId.Pattern = "^c[1-9][0-9]*$";
                callId.Description = "Opaque and stable; `c` and the call's number.";
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// A generic envelope's <c>data</c> comes out as "null or T", since nothing tells the generator that T is never
    /// null; it never is.
    /// </summary>
    public static void UnwrapEnvelopeData(OpenApiDocument document)
    {
        foreach (var schema in document.Components?.Schemas?.Values ?? [])
        {
            if (schema.Properties?.TryGetValue("data", out var data) == true && data.OneOf is { Count: 2 } branches
                && branches[0].Type == JsonSchemaType.Null)
            {
                schema.Properties["data"] = branches[1];
            }
        }
    }

    private static void SetEnum(OpenApiSchema schema, IEnumerable<string> values)
    {
        schema.Type = JsonSchemaType.String;
        schema.Enum = [.. values.Select(value => (JsonNode)JsonValue.Create(value))];
    }

    private static void SetStatus(OpenApiSchema schema, string value)
    {
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(value)] };
        schema.Required ??= new HashSet<string>();
        schema.Required.Add("status");
    }
}
