using Salpre.Gateway.Hosting;
using Salpre.Gateway.RateLimits;
using Salpre.Gateway.Telemetry;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Keys;

/// <summary>
/// For endpoints that carry <see cref="RequiredScope"/>: authenticates the <c>account-secret-key</c> header (401),
/// takes a token of the key's rate limit (429), checks the key's scope (403), and hands the caller to the endpoint.
/// The key is read from the header only.
/// </summary>
public sealed class KeyAuthenticationMiddleware(RequestDelegate next, ApiKeyAuthenticator authenticator, KeyRateLimiter rateLimiter, GatewayMetrics metrics)
{
    public const string Header = "account-secret-key";

    public async Task InvokeAsync(HttpContext context)
    {
        var required = context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>();
        if (required is null)
        {
            await next(context);
            return;
        }

        var header = context.Request.Headers[Header];
        var caller = header.Count == 1
            ? await authenticator.AuthenticateAsync(header[0], context.RequestAborted)
            : null;
        if (caller is null)
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, ApiErrors.Unauthorized(context));
            return;
        }
        var rate = await rateLimiter.TakeAsync(context, caller.KeyId);
        if (!rate.Allowed)
        {
            var status = rate.Verdict == BucketVerdict.Limited ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable;
            if (status == StatusCodes.Status429TooManyRequests)
            {
                metrics.KeyRateLimited();
            }
            context.Response.Headers.RetryAfter = KeyRateLimiter.SecondsOf(rate.RetryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ApiErrors.WriteAsync(context, status, status == StatusCodes.Status429TooManyRequests
                ? ApiErrors.RateLimited(context, "Too many requests. Please retry after the Retry-After delay")
                : ApiErrors.ForStatus(context, status));
            return;
        }
        if ((caller.Scopes & required.Scope) != required.Scope)
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status403Forbidden, ApiErrors.Forbidden(context, ScopeName(required.Scope)));
            return;
        }

        context.Features.Set(caller);
        context.Response.Headers.CacheControl = "no-store";
        await next(context);
    }

    private static string ScopeName(KeyScopes scope) => scope.ToString().ToLowerInvariant();
}
