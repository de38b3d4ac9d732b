using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Salpre.Gateway.Keys;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Dashboard;

/// <summary>
/// A signed-in browser: an HttpOnly, SameSite=Strict cookie (Secure over HTTPS) holding a data-protected ticket of the
/// account, the key and its scopes, which expires with the session. The key itself is never in it.
/// </summary>
public sealed class DashboardSessions(IDataProtectionProvider protection, IOptions<DashboardOptions> options, TimeProvider time)
{
    public const string CookieName = "salpre_dashboard";

    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("Salpre.Dashboard.Session.v1").ToTimeLimitedDataProtector();

    public void SignIn(HttpContext context, ApiCaller caller)
    {
        var lifetime = options.Value.SessionLifetime;
        var ticket = string.Create(CultureInfo.InvariantCulture, $"{caller.AccountId}.{caller.KeyId}.{(int)caller.Scopes}");
        var sealedTicket = _protector.Protect(ticket, time.GetUtcNow() + lifetime);
        context.Response.Cookies.Append(CookieName, sealedTicket, Cookie(context, time.GetUtcNow() + lifetime));
    }

    public static void SignOut(HttpContext context) => context.Response.Cookies.Delete(CookieName, Cookie(context, null));

    /// <summary>The ticket's account and key, or null for no cookie, a forged or expired one.</summary>
    public (long AccountId, long KeyId)? Read(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }
        string ticket;
        try
        {
            ticket = _protector.Unprotect(value, out _);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        var parts = ticket.Split('.');
        return parts.Length == 3
               && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var account)
               && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var key)
            ? (account, key)
            : null;
    }

    private static CookieOptions Cookie(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = DashboardPaths.Root,
        Expires = expires,
        IsEssential = true,
    };
}

/// <summary>The dashboard's addresses.</summary>
public static class DashboardPaths
{
    public const string Root = "/dashboard";
    public const string SignIn = "/dashboard/sign-in";
    public const string SignOut = "/dashboard/sign-out";
    public const string Assets = "/dashboard/assets";
    public const string Calls = "/dashboard/calls";
    public const string Devices = "/dashboard/devices";
    public const string PlaceCall = "/dashboard/place-call";
    public const string Events = "/dashboard/events";

    /// <summary>A local dashboard address to return to after signing in, or the overview for anything else.</summary>
    /// <summary>Whether an address is a page a person opens (led to sign-in when signed out) rather than a part of one.</summary>
    public static bool IsPage(PathString path) =>
        !path.StartsWithSegments(Events) && !path.StartsWithSegments(Calls + "/rows") && !path.StartsWithSegments(Calls + "/export.csv");

    public static string SafeReturn(string? returnTo) =>
        returnTo is { Length: > 0 and < 2048 } && returnTo.StartsWith(Root, StringComparison.Ordinal)
        && !returnTo.StartsWith(SignIn, StringComparison.Ordinal) && !returnTo.Contains("//", StringComparison.Ordinal)
        && !returnTo.Contains('\\', StringComparison.Ordinal)
            ? returnTo
            : Root;
}

/// <summary>
/// For every <c>/dashboard</c> request: the security headers (a strict Content-Security-Policy), and the session. A
/// valid ticket whose key is still active (checked from the key cache, which any key's revocation clears within the
/// revocation interval) makes the request's <see cref="ApiCaller"/>, as a key does for the API; without one, pages lead
/// to sign-in and everything else answers 401.
/// </summary>
public sealed class DashboardSessionMiddleware(RequestDelegate next, DashboardSessions sessions, ApiKeyAuthenticator authenticator)
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src *; connect-src 'self'; " +
        "font-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments(DashboardPaths.Root))
        {
            await next(context);
            return;
        }
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";

        if (path.StartsWithSegments(DashboardPaths.Assets) || path.StartsWithSegments(DashboardPaths.SignIn))
        {
            await next(context);
            return;
        }
        headers.CacheControl = "no-store";
        var ticket = sessions.Read(context);
        var caller = ticket is { } found ? await authenticator.FindActiveAsync(found.KeyId, context.RequestAborted) : null;
        if (caller is null || caller.AccountId != ticket!.Value.AccountId)
        {
            if (context.Request.Cookies.ContainsKey(DashboardSessions.CookieName))
            {
                DashboardSessions.SignOut(context);
            }
            if (HttpMethods.IsGet(context.Request.Method) && DashboardPaths.IsPage(path))
            {
                var back = Uri.EscapeDataString(path + context.Request.QueryString);
                context.Response.Redirect($"{DashboardPaths.SignIn}?return_to={back}");
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("Signed out: sign in again at " + DashboardPaths.SignIn, context.RequestAborted);
            }
            return;
        }
        context.Features.Set(caller);
        await next(context);
    }
}

public static class KeyScopesText
{
    public static bool CanWrite(this ApiCaller caller) => caller.Scopes.HasFlag(KeyScopes.Write);
}
