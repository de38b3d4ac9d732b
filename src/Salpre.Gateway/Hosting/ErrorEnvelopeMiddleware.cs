using Salpre.Gateway.Telemetry;
using Salpre.Storage;

namespace Salpre.Gateway.Hosting;

/// <summary>
/// Makes every failure answer in the contract's envelope: faults thrown anywhere below (500, or 503 when the
/// database is unavailable), bad requests the framework detects (400, 413...), and bodiless statuses such as
/// unknown routes (404) and wrong methods (405). Nothing of the fault itself reaches the client.
/// </summary>
public sealed partial class ErrorEnvelopeMiddleware(RequestDelegate next, ILogger<ErrorEnvelopeMiddleware> logger, GatewayMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return;
        }
        catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
        {
            await ApiErrors.WriteAsync(context, exception.StatusCode, ApiErrors.ForStatus(context, exception.StatusCode));
            return;
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            var status = StorageErrors.IsUnavailable(exception)
                ? StatusCodes.Status503ServiceUnavailable
                : StatusCodes.Status500InternalServerError;
            metrics.Fault(exception);
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                // An outage or a full disk refuses every write alike: one line each, not a stack trace each.
                LogUnavailable(logger, context.Request.Method, context.Request.Path, context.TraceIdentifier, exception.Message);
            }
            else
            {
                LogFault(logger, exception, status, context.Request.Method, context.Request.Path, context.TraceIdentifier);
            }
            context.Response.Clear();
            context.Response.Headers[RequestIdMiddleware.Header] = context.TraceIdentifier;
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                context.Response.Headers.RetryAfter = "1";
            }
            await ApiErrors.WriteAsync(context, status, ApiErrors.ForStatus(context, status));
            return;
        }

        if (context.Response.StatusCode >= 400 && !context.Response.HasStarted && context.Response.ContentLength is null)
        {
            await ApiErrors.WriteAsync(context, context.Response.StatusCode, ApiErrors.ForStatus(context, context.Response.StatusCode));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request failed with {Status}: {Method} {Path} (request {RequestId})")]
    private static partial void LogFault(ILogger logger, Exception exception, int status, string method, PathString path, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage unavailable, answered 503: {Method} {Path} (request {RequestId}): {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, PathString path, string requestId, string reason);
}
