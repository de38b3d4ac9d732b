using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Salpre.Gateway.Hosting;

namespace Salpre.Gateway.Calls;

/// <summary>A rendered list page: 200 with its bytes and entity tag, or 304 when the client's copy is current.</summary>
public sealed class ListPageResult(byte[] body, string? etag, bool notModified) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => notModified ? StatusCodes.Status304NotModified : StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        if (etag is not null)
        {
            response.Headers.ETag = etag;
        }
        if (notModified)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GatewayJson.ContentType;
        response.Headers.XContentTypeOptions = "nosniff";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(CallListResponse), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified));
    }
}
