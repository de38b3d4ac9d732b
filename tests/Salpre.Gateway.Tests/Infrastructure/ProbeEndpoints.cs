using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Salpre.Gateway.Tests.Infrastructure;

/// <summary>
/// Paths the gateway does not have, served after its whole pipeline, to show how that pipeline answers failures
/// that only some endpoints meet: <c>POST /probe/body</c> reads the body (Kestrel enforces the size limit), and
/// <c>GET /probe/status/{code}</c> ends with a bare status, as the framework's own 415 or 400 do.
/// </summary>
public sealed class ProbeEndpoints : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path == "/probe/body")
            {
                await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else if (path.StartsWith("/probe/status/", StringComparison.Ordinal))
            {
                context.Response.StatusCode = int.Parse(path["/probe/status/".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });
    };
}
