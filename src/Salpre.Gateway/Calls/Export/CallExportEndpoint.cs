using System.IO.Compression;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Gateway.RateLimits;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls.Export;

/// <summary><c>GET /call/export</c>: every call that matches the list's filters, streamed in one response.</summary>
public static class CallExportEndpoint
{
    /// <summary>Rows a key pays one rate-limit token for; the request's own token pays for the first ones.</summary>
    public const int RowsPerToken = 1000;

    /// <summary>Rows read at once: each read is a short keyset query of its own, never one long transaction.</summary>
    public const int RowsPerRead = 2000;

    public static RouteHandlerBuilder MapCallExport(this RouteGroupBuilder group) =>
        group.MapGet("/export", ExportCalls)
            .WithName("ExportCalls")
            .WithSummary("Export every matching call in one streamed response")
            .WithDescription(
                "Every call that the list's filters match (same parameters, `order` too), as NDJSON (`format=ndjson`, " +
                "one call a line in the list's form; with `include=details`, the details' form) or CSV (`format=csv`, " +
                "the import's columns). `after=<call_id>` resumes right after that call in the export's order. A " +
                "complete export ends with the body's clean end; a dropped connection is an error, never a short " +
                "file. An export costs one rate-limit token per 1,000 calls beyond the first 1,000, taken as they " +
                "are sent: when the key's bucket is empty the stream slows to its rate. Gzip with `Accept-Encoding: gzip`. " +
                "Unknown parameters are refused (400).")
            .RequireScope(KeyScopes.Read)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Parameters ??= [];
                foreach (var parameter in CallListOpenApi.FilterAndOrderParameters().Concat(Parameters()))
                {
                    operation.Parameters.Add(parameter);
                }
                return Task.CompletedTask;
            })
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson", additionalContentTypes: "text/csv");

    private static IEnumerable<OpenApiParameter> Parameters()
    {
        yield return CallListOpenApi.Query("format", "`ndjson` (default): one JSON call a line; `csv`: the import's columns, a header first.",
            new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("ndjson"), JsonValue.Create("csv")], Default = "ndjson" }, "ndjson");
        yield return CallListOpenApi.Query("include", "`details` adds each call's `audio_record_url`, `transcript` and `variables`.",
            new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("details")] }, "details");
        yield return CallListOpenApi.Query("after", "A `call_id` already received: the export resumes right after it, in its order and filters.",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 20 }, "c123456");
    }

    internal static async Task<Results<CallExportResult, BadRequest<ErrorResponse>>> ExportCalls(
        ApiCaller caller,
        HttpContext context,
        ICallStore calls,
        KeyRateLimiter limiter,
        CancellationToken cancellationToken)
    {
        if (!CallExportRequest.TryParse(context.Request.Query, context.Request.QueryString.Value, out var request, out var invalid))
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, invalid));
        }
        CallPosition? after = null;
        if (request.AfterCallNum is { } afterNum)
        {
            if (await calls.GetAsync(caller.AccountId, afterNum, cancellationToken) is not { } call)
            {
                return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "after", "the account has no such call"));
            }
            after = new CallPosition(call.Call.StartedAt, call.Call.CallNum);
        }
        return new CallExportResult(caller, request, after, calls, limiter);
    }

    /// <summary>Whether the client takes gzip (<c>Accept-Encoding</c>, a zero quality refusing it).</summary>
    internal static bool AcceptsGzip(HttpRequest request) =>
        StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding, out var encodings)
        && encodings.Any(encoding => encoding.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && encoding.Quality is not 0);
}

/// <summary>The export's 200: rows read in keyset chunks, each rendered and sent before the next is read.</summary>
public sealed class CallExportResult(ApiCaller caller, CallExportRequest request, CallPosition? after, ICallStore calls, KeyRateLimiter limiter)
    : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = CallExportRenderer.ContentType(request.Format);
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptEncoding);
        var gzip = CallExportEndpoint.AcceptsGzip(httpContext.Request);
        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
        }

        var body = gzip ? new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true) : response.Body;
        await using (body.ConfigureAwait(false))
        {
            using var renderer = new CallExportRenderer(request.Format);
            renderer.Header(request.WithDetails);
            long sent = 0, paid = CallExportEndpoint.RowsPerToken;
            var position = after;
            while (true)
            {
                var query = new CallQuery(request.Filter, request.Ascending, position, 0, CallExportEndpoint.RowsPerRead);
                int count;
                if (request.WithDetails)
                {
                    var rows = await calls.ListDetailsAsync(caller.AccountId, query, cancellationToken);
                    foreach (var row in rows) renderer.Row(row);
                    count = rows.Count;
                    position = count > 0 ? new CallPosition(rows[^1].Call.StartedAt, rows[^1].Call.CallNum) : position;
                }
                else
                {
                    var rows = await calls.ListAsync(caller.AccountId, query, cancellationToken);
                    foreach (var row in rows) renderer.Row(row);
                    count = rows.Count;
                    position = count > 0 ? new CallPosition(rows[^1].StartedAt, rows[^1].CallNum) : position;
                }
                for (sent += count; sent > paid; paid += CallExportEndpoint.RowsPerToken)
                {
                    await limiter.DrawAsync(caller.KeyId, cancellationToken);
                }
                await body.WriteAsync(renderer.Written, cancellationToken);
                await body.FlushAsync(cancellationToken);
                renderer.Clear();
                if (count < CallExportEndpoint.RowsPerRead)
                {
                    return;
                }
            }
        }
    }
}
