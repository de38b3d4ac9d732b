using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Salpre.Gateway.Keys;

namespace Salpre.Gateway.Hosting;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and its reading page at <c>/docs</c>.</summary>
public static class OpenApiSetup
{
    public const string KeyScheme = "account-secret-key";

    public static IServiceCollection AddGatewayOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Salpre Gateway",
                    Version = "v1",
                    Description = "The calls your Salpre AI agents made, for your own backend. Every response is an " +
                                  "envelope: `{\"status\":\"success\",\"data\":...}` or `{\"status\":\"error\",\"message\":...}`.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[KeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = KeyScheme,
                    Description = "Your account secret key (`slp_sk_...`). Keep it on your server; it is never accepted in the query string.",
                };
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer((document, _, _) =>
            {
                WireSchemas.UnwrapEnvelopeData(document);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(DescribeCommonResponses);
            options.AddSchemaTransformer(WireSchemas.Describe);
        });

    public static WebApplication MapGatewayOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("Salpre Gateway API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        return app;
    }

    /// <summary>Adds what every operation may answer: 401/403/429 for keyed ones, 500/503 for all.</summary>
    private static Task DescribeCommonResponses(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken _)
    {
        var error = new OpenApiSchemaReference(nameof(ErrorResponse), context.Document);
        operation.Responses ??= new OpenApiResponses();
        var scope = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiredScope>().FirstOrDefault();
        if (scope is not null)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(KeyScheme, context.Document)] = [] }];
            operation.Responses["401"] = ErrorResponse(error, "Missing, unknown or revoked key.", ApiErrors.UnauthorizedMessage, ErrorCodes.Unauthorized);
            operation.Responses["403"] = ErrorResponse(error, "The key lacks the scope this operation needs.",
                $"Forbidden. This account-secret-key lacks the {scope.Scope.ToString().ToLowerInvariant()} scope", ErrorCodes.Forbidden);
            operation.Responses["429"] = ErrorResponse(error,
                "The key's rate limit (or, for make-call, the account's call rate) is spent; nothing was done. Retry after " +
                "`Retry-After` seconds. Every keyed answer carries `RateLimit-Policy` and `RateLimit` (IETF draft fields).",
                "Too many requests. Please retry after the Retry-After delay", ErrorCodes.RateLimited);
        }
        operation.Responses["500"] = ErrorResponse(error, "An unexpected fault; nothing of it is disclosed.", "Internal server error", ErrorCodes.Internal);
        operation.Responses["503"] = ErrorResponse(error, "Storage is unavailable; retry after `Retry-After` seconds.", "Service unavailable. Please retry shortly", ErrorCodes.Unavailable);
        return Task.CompletedTask;
    }

    public static OpenApiResponse ErrorResponse(IOpenApiSchema schema, string description, string message, string code) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new()
            {
                Schema = schema,
                Example = new JsonObject
                {
                    ["status"] = "error",
                    ["message"] = message,
                    ["code"] = code,
                    ["request_id"] = "4f1c2b7e9a0d4c3b8e6f5a1d2c3b4a59",
                },
            },
        },
    };
}
