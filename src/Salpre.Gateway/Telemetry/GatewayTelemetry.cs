using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http.Features;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Salpre.Storage;

namespace Salpre.Gateway.Telemetry;

/// <summary>
/// Metrics and traces. With <c>Metrics:Enabled</c>, Prometheus scrapes <c>/metrics</c> on a listener of its own
/// (<c>Metrics:Urls</c>, by default http://127.0.0.1:9464), never on the API's. With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// set (an environment variable or a configuration key), traces and metrics are also pushed over OTLP. With neither,
/// no OpenTelemetry runs at all, and the gateway's counters cost a flag check.
/// </summary>
public static class GatewayTelemetry
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ServiceName = "salpre-gateway";
    private const string NpgsqlMeter = "Npgsql";

    /// <summary>Call after <c>AddGatewayHttp</c>, which settles the API's addresses.</summary>
    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GatewayMetrics>();
        var options = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]);
        if (!options.Enabled && !otlp)
        {
            return builder;
        }

        MetricsListener? listener = null;
        if (options.Enabled)
        {
            var apiUrls = builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "";
            var problem = MetricsListener.TryCreate(options.Urls, apiUrls, out listener);
            builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section)
                .Validate(_ => problem is null, problem ?? "").ValidateOnStart();
            if (listener is not null)
            {
                builder.WebHost.UseUrls($"{apiUrls};{options.Urls}");
                builder.Services.AddSingleton(listener);
            }
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? ServiceName));
        telemetry.WithMetrics(metrics =>
        {
            metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter(GatewayMetrics.MeterName, StorageMetrics.MeterName);
            ((IDeferredMeterProviderBuilder)metrics).Configure(
                (services, configured) => configured.AddView(Views(services.GetRequiredService<IMeterFactory>())));
            if (listener is not null)
            {
                // Every scrape collects afresh (no cached answer), so what it shows is what happened until then.
                metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
            }
            if (otlp)
            {
                metrics.AddOtlpExporter();
            }
        });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(aspNetCore =>
                {
                    aspNetCore.Filter = context => listener?.Serves(context) != true;
                    // The query may carry filters on phone numbers (to, from), and a path whatever a client typed in
                    // place of an id: a span keeps the route's template as its path, and no path when none matched.
                    aspNetCore.EnrichWithHttpRequest = static (activity, _) => activity.SetTag("url.query", null);
                    aspNetCore.EnrichWithHttpResponse = static (activity, response) =>
                        activity.SetTag("url.path", (response.HttpContext.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText);
                })
                .AddNpgsql()
                .AddOtlpExporter());
        }
        return builder;
    }

    /// <summary>
    /// When metrics are on: the metrics listener answers <c>/metrics</c> and 404 for anything else, before any of the
    /// API's middleware; scrapes are left out of the request metrics. The API's listeners never answer <c>/metrics</c>.
    /// </summary>
    public static WebApplication MapGatewayMetrics(this WebApplication app)
    {
        if (app.Services.GetService<MetricsListener>() is not { } listener)
        {
            return app;
        }
        app.MapWhen(listener.Serves, metrics =>
        {
            metrics.Use((context, next) =>
            {
                if (context.Features.Get<IHttpMetricsTagsFeature>() is { } tags)
                {
                    tags.MetricsDisabled = true;
                }
                return next(context);
            });
            metrics.UseOpenTelemetryPrometheusScrapingEndpoint(
                meterProvider: null,
                predicate: static context => context.Request.Path == MetricsOptions.Path,
                path: null,
                configureBranchedPipeline: null,
                optionsName: null);
            metrics.Run(static context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
        return app;
    }

    /// <summary>
    /// OpenTelemetry listens to meters by name, across the process. Meters made by another host's factory (tests run
    /// several gateways in one process) are dropped; process-wide meters (runtime, Npgsql) have no scope and stay.
    /// Npgsql labels its pool metrics with the data source's name, which for a connection opened from a connection
    /// string is that string (less the password only without <c>Persist Security Info</c>): they keep the connection
    /// state alone. A gateway has one pool (its migrations use it too), so the counts are that pool's.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> Views(IMeterFactory own) => instrument =>
        instrument.Meter.Scope is not null && !ReferenceEquals(instrument.Meter.Scope, own) ? MetricStreamConfiguration.Drop
        : instrument.Meter.Name == NpgsqlMeter ? new MetricStreamConfiguration { TagKeys = ["db.client.connection.state"] }
        : null;
}
