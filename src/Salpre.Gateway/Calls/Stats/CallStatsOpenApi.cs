using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls.Stats;

/// <summary>The statistics' parameters, example and schemas, which its hand-read query and custom writers hide from the generator.</summary>
public static class CallStatsOpenApi
{
    public static RouteHandlerBuilder WithCallStatsParameters(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var parameter in CallListOpenApi.FilterParameters())
            {
                operation.Parameters.Add(parameter);
            }
            operation.Parameters.Add(CallListOpenApi.Query("group_by",
                $"Nothing, or one or two (a comma list) of: {string.Join(", ", StatsDimensions.Names)}.",
                new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 64 }, "day"));
            operation.Parameters.Add(CallListOpenApi.Query("tz",
                "IANA time zone (default UTC) of the time groups, of date-only bounds and of the default range (its last 30 days).",
                new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 64, Default = "UTC" }, "Europe/Istanbul"));
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var media) == true)
            {
                media.Example = JsonNode.Parse(Example);
            }
            return Task.CompletedTask;
        });

    /// <summary>What the measures' and groups' writers put out, for their schemas.</summary>
    public static void Describe(OpenApiSchema schema, Type type)
    {
        if (type == typeof(StatsMeasures))
        {
            Fill(schema, new Dictionary<string, IOpenApiSchema>());
        }
        else if (type == typeof(CallStats) && schema.Properties is { } properties)
        {
            var group = Fill(new OpenApiSchema { Description = "A field per dimension of `group_by`, in its order, then the measures." }, DimensionProperties());
            properties["groups"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = group };
        }
        else if (type == typeof(CallStatsMeta))
        {
            schema.Required?.Remove("ignored_parameters");
        }
    }

    /// <summary>An object of the given properties followed by the measures, all of which are always there.</summary>
    private static OpenApiSchema Fill(OpenApiSchema schema, Dictionary<string, IOpenApiSchema> properties)
    {
        schema.Type = JsonSchemaType.Object;
        schema.Properties = properties;
        foreach (var (name, property) in MeasureProperties())
        {
            schema.Properties[name] = property;
        }
        schema.Required = new HashSet<string>(MeasureProperties().Select(pair => pair.Key));
        schema.AdditionalPropertiesAllowed = false;
        return schema;
    }

    private static Dictionary<string, IOpenApiSchema> DimensionProperties() => new()
    {
        ["hour"] = Text("The local hour and its offset, e.g. `2026-11-01T13:00+03:00`."),
        ["day"] = Text("The local day, `yyyy-MM-dd`."),
        ["week"] = Text("The ISO week, e.g. `2026-W44`."),
        ["month"] = Text("The month, `yyyy-MM`."),
        ["hour_of_day"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Maximum = "23" },
        ["weekday"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = "7", Description = "ISO: Monday 1 ... Sunday 7." },
        ["agent_id"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
        ["status"] = Text("A call status."),
        ["direction"] = Text("`outbound` or `inbound`."),
        ["from"] = Text("The box, `salprebox:SERIAL_NO`."),
    };

    private static IEnumerable<KeyValuePair<string, IOpenApiSchema>> MeasureProperties()
    {
        var byStatus = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = new Dictionary<string, IOpenApiSchema>() };
        for (var i = 0; i < CallStatuses.Count; i++)
        {
            byStatus.Properties[((CallStatus)i).ToWire()] = new OpenApiSchema { Type = JsonSchemaType.Integer };
        }
        yield return new("calls", new OpenApiSchema { Type = JsonSchemaType.Integer });
        yield return new("by_status", byStatus);
        yield return new("answered", new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "Calls that reached in-progress." });
        yield return new("answer_rate", new OpenApiSchema { Type = JsonSchemaType.Number | JsonSchemaType.Null, Description = "Answered among the calls that ended, to 4 decimals; null when none ended." });
        yield return new("talk_sec_total", new OpenApiSchema { Type = JsonSchemaType.Integer });
        yield return new("talk_sec_avg", new OpenApiSchema { Type = JsonSchemaType.Number | JsonSchemaType.Null, Description = "Over the answered calls that ended, to 4 decimals; null when none." });
    }

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

    private const string Example = """
        {"status":"success","data":{
          "totals":{"calls":3,"by_status":{"initiated":0,"ringing":0,"in-progress":0,"completed":2,"busy":0,"no-answer":1,"failed":0,"canceled":0},
                    "answered":2,"answer_rate":0.6667,"talk_sec_total":341,"talk_sec_avg":170.5},
          "groups":[
            {"day":"2026-11-01","calls":2,"by_status":{"initiated":0,"ringing":0,"in-progress":0,"completed":1,"busy":0,"no-answer":1,"failed":0,"canceled":0},
             "answered":1,"answer_rate":0.5,"talk_sec_total":162,"talk_sec_avg":162},
            {"day":"2026-11-02","calls":1,"by_status":{"initiated":0,"ringing":0,"in-progress":0,"completed":1,"busy":0,"no-answer":0,"failed":0,"canceled":0},
             "answered":1,"answer_rate":1,"talk_sec_total":179,"talk_sec_avg":179}]},
         "meta":{"started_after":"2026-10-31T21:00:00Z","started_before":"2026-11-02T21:00:00Z","tz":"Europe/Istanbul","group_by":["day"]}}
        """;
}
