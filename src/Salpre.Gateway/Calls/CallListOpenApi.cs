using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls;

/// <summary>
/// The list reads its query by hand (to give the contract's exact errors), so its parameters are described here,
/// with the limits the parser enforces.
/// </summary>
public static class CallListOpenApi
{
    public static RouteHandlerBuilder WithCallListParameters(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var parameter in Parameters())
            {
                operation.Parameters.Add(parameter);
            }
            operation.Parameters.Add(Header("If-None-Match", "An `ETag` of an earlier answer: 304 with no body while the page is unchanged."));
            operation.Parameters.Add(Header("Cache-Control", "`no-cache` reads the page afresh instead of answering from the page cache."));
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var media) == true)
            {
                media.Example = JsonNode.Parse(DocumentExample);
                var headers = ((OpenApiResponse)ok).Headers ??= new Dictionary<string, IOpenApiHeader>();
                headers["ETag"] = new OpenApiHeader
                {
                    Description = "Identifies this page at the account's current calls; send it back in If-None-Match.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }
            return Task.CompletedTask;
        });

    /// <summary>The parameters of the list's filter, which the statistics take too (tz aside, described by each).</summary>
    public static IEnumerable<OpenApiParameter> FilterParameters() =>
        Parameters().Where(parameter => parameter.Name != "tz" && CallFilterParameters.Names.Contains(parameter.Name!));

    /// <summary>The list's filters with <c>tz</c> and <c>order</c>: what an export takes from the list.</summary>
    public static IEnumerable<OpenApiParameter> FilterAndOrderParameters() =>
        Parameters().Where(parameter => parameter.Name == "order" || CallFilterParameters.Names.Contains(parameter.Name!));

    private static IEnumerable<OpenApiParameter> Parameters()
    {
        var statuses = Enumerable.Range(0, CallStatuses.Count).Select(i => ((CallStatus)i).ToWire()).ToArray();
        yield return Query("per_page", "Calls per page, 1 to 100 (default 10). Anything else answers 400 `Invalid per_page value`.",
            new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = "100", Default = 10 }, 10);
        yield return Query("page", "Page number from 1 (default 1). Costs grow with depth: prefer `cursor` for deep pages.",
            new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), Default = 1 }, 1);
        yield return Query("cursor", "`meta.next_cursor` of the previous page: the following page, with the same filters and order, at the same cost at any depth.",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 4096 }, null);
        yield return Query("status", $"One status or a comma-separated list: {string.Join(", ", statuses)}.",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 2048 }, "completed,failed");
        yield return Query("agent_id", "One agent id or a comma-separated list (at most 100).",
            new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9]{1,18}(,[0-9]{1,18}){0,99}$" }, "5");
        yield return Query("direction", "`outbound` or `inbound`.",
            new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("outbound"), JsonValue.Create("inbound")] }, "outbound");
        yield return Query("to", "Exact match on `to`, e.g. `%2B905321234567` (send `+` as `%2B`).",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 256 }, "+905321234567");
        yield return Query("from", "Exact match on `from`, e.g. `salprebox:SALPRE_123456`.",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 256 }, "salprebox:SALPRE_123456");
        yield return Query("started_after", "Inclusive lower bound: an ISO-8601 instant with `Z` or an offset, or a date `yyyy-MM-dd` (the start of that day in `tz`).",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 40 }, "2025-10-01");
        yield return Query("started_before", "Exclusive upper bound, in the same forms as `started_after`.",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 40 }, "2025-10-09T12:00:00Z");
        yield return Query("min_duration", "Minimum `duration_sec`, inclusive. Calls that have not ended never match.",
            new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Maximum = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) }, 30);
        yield return Query("max_duration", "Maximum `duration_sec`, inclusive. Calls that have not ended never match.",
            new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Maximum = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) }, 600);
        yield return Query("order", "`desc` (newest first, the default) or `asc`. Ties are broken by `call_id`.",
            new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("desc"), JsonValue.Create("asc")], Default = "desc" }, "desc");
        yield return Query("include_total", "`true` adds `meta.total`, the number of matching calls (costs a count).",
            new OpenApiSchema { Type = JsonSchemaType.Boolean, Default = false }, true);
        yield return Query("tz", "IANA time zone for date-only bounds (default UTC). Times in responses stay UTC.",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 64, Default = "UTC" }, "Europe/Istanbul");
    }

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = false,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    public static OpenApiParameter Query(string name, string description, OpenApiSchema schema, JsonNode? example) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Required = false,
        Description = description,
        Schema = schema,
        Example = example,
    };

    /// <summary>The example response of the List Calls document, with this gateway's additions to <c>meta</c>.</summary>
    private const string DocumentExample = """
        {"status":"success","data":[
          {"call_id":"c123456","status":"completed","from":"salprebox:EXAMPLE_SERIAL_NO","to":"+905321234567","agent_id":5,
           "direction":"outbound","started_at":"2025-10-09T10:41:22Z","ended_at":"2025-10-09T10:44:04Z","duration_sec":162},
          {"call_id":"c123457","status":"failed","from":"salprebox:EXAMPLE_SERIAL_NO","to":"+905321234567","agent_id":5,
           "direction":"outbound","started_at":"2025-10-09T09:13:01Z","ended_at":"2025-10-09T09:13:11Z","duration_sec":10}],
         "meta":{"per_page":10,"page":1,"has_next":true,"next_cursor":"AQAKAgAAAAAAAAA..."}}
        """;
}
