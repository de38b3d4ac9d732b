using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Salpre.Gateway.Calls;
using Salpre.Gateway.Dashboard.Components;
using Salpre.Gateway.Dashboard.Pages;
using Salpre.Gateway.Devices;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Gateway.Telemetry;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;
using Salpre.Storage.Dashboard;
using Salpre.Storage.Devices;

namespace Salpre.Gateway.Dashboard;

/// <summary>
/// The dashboard at <c>/dashboard</c>: Razor components rendered on the server (no interactive mode, no framework
/// script), one small module for what a page does by itself (the browser's zone, live updates, copy link), and the
/// few endpoints of its own: sign-in and sign-out, the live stream, the calls table's rows, the CSV export and the
/// make-call form. Every page reads through the API's own code.
/// </summary>
public static class DashboardHosting
{
    public static WebApplicationBuilder AddGatewayDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.Section);
        builder.Services.AddRazorComponents();
        builder.Services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "salpre_antiforgery";
            antiforgery.Cookie.Path = DashboardPaths.Root;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
        });
        // Sealed with keys every node reads from the database, so any node opens any node's cookies.
        builder.Services.AddDataProtection().SetApplicationName("Salpre.Gateway");
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IDashboardStore>((options, store) => options.XmlRepository = new KeyRingRepository(store));
        // The key ring sits in the database beside the gateway's other secrets (the cursor key); the framework's
        // warning that it is not encrypted at rest would only repeat that on every node's first start.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.AddSingleton<DashboardSessions>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<DashboardChanges>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DashboardChanges>());
        return builder;
    }

    /// <summary>Security headers and sessions for <c>/dashboard</c>, then antiforgery for its forms.</summary>
    public static WebApplication UseGatewayDashboard(this WebApplication app)
    {
        app.UseMiddleware<DashboardSessionMiddleware>();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        var enabled = app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.Enabled;
        // A browser opened at the gateway's address lands on the dashboard (or, without it, on the API reference).
        app.MapGet("/", () => TypedResults.Redirect(enabled ? DashboardPaths.Root : "/docs")).ExcludeFromDescription();
        if (!enabled)
        {
            return app;
        }
        app.MapDashboardAssets();
        var dashboard = app.MapGroup(DashboardPaths.Root).ExcludeFromDescription();
        dashboard.MapGet("/sign-in", SignInPage);
        dashboard.MapPost("/sign-in", SignIn);
        dashboard.MapPost("/sign-out", SignOut);
        dashboard.MapGet("/events", (ApiCaller caller, DashboardChanges changes, CancellationToken cancellationToken) =>
            TypedResults.ServerSentEvents(changes.StreamAsync(caller, cancellationToken)));
        dashboard.MapGet("/calls/rows", Rows);
        dashboard.MapGet("/calls/export.csv", DashboardExport.ExportAsync);
        // Before the page's own endpoint, which takes POSTs too.
        dashboard.MapPost("/place-call", PlaceCall).WithOrder(-1);
        app.MapRazorComponents<App>();
        return app;
    }

    private static async Task<IResult> SignInPage(
        HttpContext context, IDashboardStore store, DashboardSessions sessions, ApiKeyAuthenticator authenticator,
        SignInThrottle throttle, TimeProvider time, string? token, string? return_to)
    {
        if (token is null)
        {
            return Page(null, return_to, StatusCodes.Status200OK);
        }
        if (!throttle.MayTry(context))
        {
            return TooMany(context, return_to);
        }
        var keyId = SignInLinks.IsWellFormed(token)
            ? await store.ConsumeSignInTokenAsync(SignInLinks.Hash(token), time.GetUtcNow().ToUnixTimeSeconds(), context.RequestAborted)
            : null;
        var caller = keyId is { } id ? await authenticator.FindActiveAsync(id, context.RequestAborted) : null;
        if (caller is null)
        {
            throttle.Failed(context);
            return Page("This sign-in link is not valid any more: each works once, for 10 minutes. Ask for a new one, or paste a key.",
                null, StatusCodes.Status401Unauthorized);
        }
        sessions.SignIn(context, caller);
        return TypedResults.Redirect(DashboardPaths.Root);
    }

    private static async Task<IResult> SignIn(
        HttpContext context, IAntiforgery antiforgery, DashboardSessions sessions, ApiKeyAuthenticator authenticator, SignInThrottle throttle)
    {
        if (!await IsValidFormAsync(context, antiforgery))
        {
            return Page("The form had expired. Please try again.", null, StatusCodes.Status400BadRequest);
        }
        var form = context.Request.Form;
        var returnTo = form["return_to"].ToString();
        if (!throttle.MayTry(context))
        {
            return TooMany(context, returnTo);
        }
        var caller = await authenticator.AuthenticateAsync(form["key"].ToString().Trim(), context.RequestAborted);
        if (caller is null)
        {
            throttle.Failed(context);
            return Page("That key is not valid: unknown, revoked or mistyped.", returnTo, StatusCodes.Status401Unauthorized);
        }
        if (!caller.Scopes.HasFlag(KeyScopes.Read))
        {
            return Page($"That key has the {ApiKeyFormat.FormatScopes(caller.Scopes)} scope; the dashboard needs read.", returnTo, StatusCodes.Status403Forbidden);
        }
        sessions.SignIn(context, caller);
        return TypedResults.Redirect(DashboardPaths.SafeReturn(returnTo));
    }

    private static async Task<IResult> SignOut(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await IsValidFormAsync(context, antiforgery))
        {
            return TypedResults.BadRequest();
        }
        DashboardSessions.SignOut(context);
        return TypedResults.Redirect(DashboardPaths.SignIn);
    }

    private static async Task<IResult> Rows(HttpContext context, ApiCaller caller, ICallStore calls, CallCursors cursors)
    {
        var (view, invalid) = await CallsView.ReadAsync(context.Request.Query, caller, calls, cursors, context.RequestAborted);
        if (view is null)
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, invalid!));
        }
        var tz = context.Request.Query["tz"].ToString();
        return new RazorComponentResult<CallRows>(new Dictionary<string, object?>
        {
            [nameof(CallRows.Calls)] = view.Page.Data,
            [nameof(CallRows.Zone)] = view.Zone,
            [nameof(CallRows.Tz)] = tz.Length > 0 ? tz : null,
            [nameof(CallRows.Total)] = view.Page.Meta.Total,
        });
    }

    /// <summary>The form posts what the API's make-call takes (from, to, agent_id), and goes through its very handler.</summary>
    private static async Task<IResult> PlaceCall(
        HttpContext context, IAntiforgery antiforgery, ApiCaller caller, ICallStore calls, IDeviceStore devices,
        DeviceConnectivity connectivity, MakeCallLimiter limiter, GatewayMetrics metrics, TimeProvider time, IOptions<MakeCallOptions> options)
    {
        if (!await IsValidFormAsync(context, antiforgery))
        {
            return PlaceCallPage("The form had expired. Please try again.", context, StatusCodes.Status400BadRequest);
        }
        if (!caller.CanWrite())
        {
            return PlaceCallPage(null, context, StatusCodes.Status403Forbidden);
        }
        // The form's own key makes a double submit place one call, as the API's Idempotency-Key does.
        var form = context.Request.Form;
        if (form["idempotency_key"].ToString() is { Length: > 0 and <= 64 } key && key.All(char.IsAsciiLetterOrDigit))
        {
            context.Request.Headers[MakeCallEndpoint.IdempotencyHeader] = "dashboard-" + key;
        }
        var answer = await MakeCallEndpoint.MakeCall(caller, context, calls, devices, connectivity, limiter, metrics, time, options, context.RequestAborted);
        switch (answer.Result)
        {
            case JsonBytesOk<DataResponse<MakeCallResult>> made:
                using (var body = JsonDocument.Parse(made.Body))
                {
                    var callId = body.RootElement.GetProperty("data").GetProperty("call_id").GetString()!;
                    return TypedResults.Redirect(DashboardFormat.WithZone($"{DashboardPaths.Calls}/{callId}", form["tz"].ToString() is { Length: > 0 } tz ? tz : null));
                }
            case BadRequest<ErrorResponse> refused:
                return PlaceCallPage(refused.Value!.Message, context, StatusCodes.Status400BadRequest);
            case Conflict<ErrorResponse> conflict:
                return PlaceCallPage(conflict.Value!.Message, context, StatusCodes.Status409Conflict);
            case JsonHttpResult<ErrorResponse> other:
                return PlaceCallPage(other.Value!.Message, context, other.StatusCode ?? StatusCodes.Status500InternalServerError);
            default:
                return PlaceCallPage("The call could not be placed.", context, StatusCodes.Status500InternalServerError);
        }
    }

    private static RazorComponentResult PlaceCallPage(string? error, HttpContext context, int status)
    {
        var form = context.Request.HasFormContentType ? context.Request.Form : null;
        return new RazorComponentResult<PlaceCallPage>(new Dictionary<string, object?>
        {
            [nameof(Pages.PlaceCallPage.Error)] = error,
            [nameof(Pages.PlaceCallPage.From)] = form?["from"].ToString(),
            [nameof(Pages.PlaceCallPage.To)] = form?["to"].ToString(),
            [nameof(Pages.PlaceCallPage.AgentId)] = form?["agent_id"].ToString(),
        }) { StatusCode = status };
    }

    private static RazorComponentResult Page(string? error, string? returnTo, int status) =>
        new RazorComponentResult<SignInPage>(new Dictionary<string, object?>
        {
            [nameof(Components.SignInPage.Error)] = error,
            [nameof(Components.SignInPage.ReturnTo)] = returnTo,
        }) { StatusCode = status };

    private static RazorComponentResult TooMany(HttpContext context, string? returnTo)
    {
        context.Response.Headers.RetryAfter = "60";
        return Page("Too many failed sign-ins from this address. Please wait a minute.", returnTo, StatusCodes.Status429TooManyRequests);
    }

    private static async Task<bool> IsValidFormAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!context.Request.HasFormContentType)
        {
            return false;
        }
        try
        {
            await antiforgery.ValidateRequestAsync(context);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }
}
