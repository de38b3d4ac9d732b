using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Salpre.Gateway.Calls;
using Salpre.Gateway.Keys;
using Salpre.Gateway.RateLimits;
using Salpre.Storage;
using Salpre.Storage.Sqlite;

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
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
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
        IStorage storage, HttpContext context, CancellationToken cancellationToken)
    {
        try
        {
            await storage.CheckAsync(cancellationToken);
            return TypedResults.Ok(new DataResponse<ServiceState>(new ServiceState("ready")));
        }
        catch (Exception exception) when (StorageErrors.IsUnavailable(exception))
        {
            return TypedResults.Json(ApiErrors.ForStatus(context, StatusCodes.Status503ServiceUnavailable), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>
    /// Claims a SQLite file for this one gateway, brings the schema up to date (or, when <c>Storage:MigrateOnStart</c>
    /// is off, checks that it is), loads what nodes of one database share (secrets, an id) and connects to Redis when
    /// rate limits live there, before serving.
    /// </summary>
    public static async Task PrepareSharedStateAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        app.Services.GetService<SqliteDatabase>()?.ClaimSingleGateway();
        var storage = app.Services.GetRequiredService<IStorage>();
        var options = app.Services.GetRequiredService<StorageOptions>();
        if (options.ShouldMigrateOnStart)
        {
            await storage.MigrateAsync(cancellationToken);
        }
        else if (await storage.PendingMigrationsAsync(cancellationToken) is { Count: > 0 } pending)
        {
            throw new StartupRefusedException(
                $"The {options.Provider} schema is behind: {pending.Count} migration(s) not applied ({string.Join(", ", pending)}). " +
                "Run `Salpre.Gateway migrate` with the same Storage settings, or set Storage:MigrateOnStart=true.");
        }
        var cursorKey = await storage.GetOrCreateSecretAsync("cursor_hmac", RandomNumberGenerator.GetBytes(32), cancellationToken);
        app.Services.GetRequiredService<CallCursors>().UseKey(cursorKey);
        var installation = await storage.GetOrCreateSecretAsync("installation_id", RandomNumberGenerator.GetBytes(8), cancellationToken);
        var buckets = app.Services.GetRequiredService<TokenBuckets>();
        buckets.UseInstallation(Convert.ToHexStringLower(installation));
        await buckets.ConnectAsync();
    }
}
