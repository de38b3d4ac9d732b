using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Salpre.Gateway.Edge;

/// <summary>What stands between the gateway and its clients: browsers on other origins (CORS) and reverse proxies.</summary>
public static class EdgeHosting
{
    /// <summary>The request headers a page may send: the key, an idempotency key, a JSON body, a request id, and a fresh read.</summary>
    public static readonly string[] AllowedRequestHeaders =
        ["account-secret-key", "Idempotency-Key", "Content-Type", "X-Request-Id", "Cache-Control", "If-None-Match"];

    /// <summary>The response headers a page may read besides the safelisted ones.</summary>
    public static readonly string[] ExposedResponseHeaders = ["X-Request-Id", "RateLimit", "RateLimit-Policy", "Retry-After", "ETag"];

    public static WebApplicationBuilder AddGatewayEdge(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CrossOriginOptions>().BindConfiguration(CrossOriginOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CrossOriginOptions>, ProblemValidator<CrossOriginOptions>>(
            _ => new ProblemValidator<CrossOriginOptions>(options => options.Problem()));
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<CrossOriginOptions>>((cors, settings) =>
            cors.AddDefaultPolicy(policy =>
            {
                var origins = settings.Value;
                if (origins.AllowsAnyOrigin)
                {
                    policy.AllowAnyOrigin();
                }
                else
                {
                    policy.WithOrigins(origins.AllowedOrigins);
                }
                policy.WithMethods("GET", "POST", "PATCH", "DELETE")
                    .WithHeaders(AllowedRequestHeaders)
                    .WithExposedHeaders(ExposedResponseHeaders)
                    .SetPreflightMaxAge(origins.PreflightMaxAge);
            }));

        builder.Services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ProxyOptions>, ProblemValidator<ProxyOptions>>(
            _ => new ProblemValidator<ProxyOptions>(options => options.Problem()));
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, settings) =>
        {
            // The framework believes loopback by default, and any sender when both lists are empty: here only what
            // the operator lists, and with nothing listed the headers are not read at all.
            var trusted = settings.Value.KnownProxies.Length + settings.Value.KnownNetworks.Length > 0;
            forwarded.ForwardedHeaders = trusted ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto : ForwardedHeaders.None;
            forwarded.ForwardLimit = settings.Value.ForwardLimit;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in settings.Value.Proxies)
            {
                forwarded.KnownProxies.Add(proxy);
            }
            foreach (var network in settings.Value.Networks)
            {
                forwarded.KnownIPNetworks.Add(network);
            }
        });
        return builder;
    }

    /// <summary>
    /// First of all: the client's address and scheme from a trusted proxy, then CORS, which answers a preflight itself
    /// (no key, no rate limit) and marks every other answer, errors included, for the pages it allows.
    /// </summary>
    public static WebApplication UseGatewayEdge(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseCors();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (app.Services.GetRequiredService<IOptions<CrossOriginOptions>>().Value.AllowsAnyOrigin)
            {
                app.Logger.LogWarning(
                    "Cors:AllowedOrigins is *: any web page may call this API from a browser. A page that does holds a secret key its visitors can read; list the origins that need it instead.");
            }
        });
        return app;
    }

    /// <summary>Refuses settings with the one line that says what is wrong with them.</summary>
    private sealed class ProblemValidator<TOptions>(Func<TOptions, string?> problem) : IValidateOptions<TOptions> where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options) =>
            problem(options) is { } message ? ValidateOptionsResult.Fail(message) : ValidateOptionsResult.Success;
    }
}
