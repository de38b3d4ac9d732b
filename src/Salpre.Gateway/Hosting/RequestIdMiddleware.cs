namespace Salpre.Gateway.Hosting;

/// <summary>
/// Gives every request an id, echoed in <c>X-Request-Id</c> and in error bodies: the client's own when it is
/// sane (1-128 characters of letters, digits and <c>-_.:</c>), otherwise a new one.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next)
{
    public const string Header = "X-Request-Id";

    public Task InvokeAsync(HttpContext context)
    {
        var offered = context.Request.Headers[Header];
        var id = offered.Count == 1 && IsSane(offered[0]) ? offered[0]! : Guid.NewGuid().ToString("N");
        context.TraceIdentifier = id;
        context.Response.Headers[Header] = id;
        return next(context);
    }

    private static bool IsSane(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 128)
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':'))
            {
                return false;
            }
        }
        return true;
    }
}
