using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Salpre.Gateway.Keys;
using Salpre.Gateway.RateLimits;
using Salpre.Gateway.Telemetry;
using Salpre.Storage;

namespace Salpre.Gateway.Hosting;

/// <summary>The gateway's parts, each added and used by one call from Program.cs.</summary>
public static class GatewayHosting
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplicationBuilder AddGatewayStorage(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        builder.Services.AddSalpreStorage(options);
        return builder;
    }

    public static WebApplicationBuilder AddGatewayKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthenticationOptions>().BindConfiguration(AuthenticationOptions.Section);
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        builder.Services.AddHostedService<KeyCacheRefresher>();
        builder.Services.AddHostedService<KeyUsageFlusher>();
        return builder;
    }

    /// <summary>Token buckets per key (and per account for make-call), in this process or shared through Redis.</summary>
    public static WebApplicationBuilder AddGatewayRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TokenBuckets>();
        builder.Services.AddSingleton<KeyRateLimiter>();
        return builder;
    }

    public static WebApplicationBuilder AddGatewayHttp(this WebApplicationBuilder builder)
    {
        // Endpoints of their own (Kestrel:Endpoints, TLS among them) replace the default address instead of joining it.
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && !builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        builder.Services.ConfigureHttpJsonOptions(json => GatewayJson.Configure(json.SerializerOptions));

        // Hosting's request lines carry the query string, where a misused key could sit: keep them out of logs.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        // Limits come from Kestrel:Limits (appsettings.json), bound here so that every way of hosting applies them.
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            builder.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits);
            kestrel.AddServerHeader = false;
        });
        return builder;
    }

    /// <summary>Request ids and error envelopes wrap everything; keys are checked once the endpoint is known.</summary>
    public static WebApplication UseGatewayPipeline(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<ErrorEnvelopeMiddleware>();
        app.UseRouting();
        app.UseMiddleware<KeyAuthenticationMiddleware>();
        return app;
    }

    /// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: and its storage answers too.</summary>
    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        var operations = app.MapGroup("").WithTags("Operations");
        operations.MapGet("/healthz", () => TypedResults.Ok(new DataResponse<ServiceState>(new ServiceState("healthy"))))
            .WithName("Health").WithSummary("Liveness: the process answers");
        operations.MapGet("/readyz", Ready)
            .WithName("Ready").WithSummary("Readiness: the process and its storage answer");
        return app;
    }

    private static async Task<Results<Ok<DataResponse<ServiceState>>, JsonHttpResult<ErrorResponse>>> Ready(
        IStorage storage, GatewayMetrics metrics, HttpContext context, CancellationToken cancellationToken)
    {
        try
        {
            await storage.CheckAsync(cancellationToken);
            return TypedResults.Ok(new DataResponse<ServiceState>(new ServiceState("ready")));
        }
        catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
        {
            metrics.Fault(exception);
            return TypedResults.Json(ApiErrors.ForStatus(context, StatusCodes.Status503ServiceUnavailable), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
