using System.Buffers;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;

namespace Salpre.Gateway.Hosting;

/// <summary>How the gateway writes JSON, in one place.</summary>
public static class GatewayJson
{
    public const string ContentType = "application/json; charset=utf-8";

    // Characters such as '+' stay as they are ("+905321234567", as the document shows them): answers are JSON
    // served as JSON with nosniff, never HTML, so the HTML-safe escaping of the default encoder buys nothing.
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>Applies the gateway's conventions to the framework's JSON options (typed results, model binding).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = GatewayJsonContext.Default.Options.PropertyNamingPolicy;
        options.NumberHandling = GatewayJsonContext.Default.Options.NumberHandling;
        options.Encoder = WriterOptions.Encoder;
        options.TypeInfoResolverChain.Insert(0, GatewayJsonContext.Default);
    }

    /// <summary>
    /// Writes a value with the generated serializer, rendered whole before its first byte reaches the response: a value
    /// that cannot be rendered fails while the answer can still become a complete error envelope.
    /// </summary>
    public static Task WriteAsync<T>(HttpResponse response, int statusCode, T value, JsonTypeInfo<T> typeInfo)
    {
        var body = GatewayJsonBytes.RenderInPlace(value, typeInfo);
        response.StatusCode = statusCode;
        response.ContentType = ContentType;
        response.Headers.XContentTypeOptions = "nosniff";
        response.ContentLength = body.Length;
        response.BodyWriter.Write(body.Span);
        return response.BodyWriter.FlushAsync(response.HttpContext.RequestAborted).AsTask();
    }
}

/// <summary>JSON rendered once into bytes, for answers that are kept and sent again.</summary>
public static class GatewayJsonBytes
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? s_threadBuffer;

    public static byte[] Render<T>(T value, JsonTypeInfo<T> typeInfo) => RenderInPlace(value, typeInfo).ToArray();

    /// <summary>Renders into this thread's buffer; the bytes are valid until the thread renders again.</summary>
    public static ReadOnlyMemory<byte> RenderInPlace<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var buffer = s_threadBuffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, GatewayJson.WriterOptions))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }
        return buffer.WrittenMemory;
    }
}

/// <summary>A 200 answer written by <see cref="GatewayJson.WriteAsync{T}"/>, described as such to OpenAPI.</summary>
public sealed class JsonOk<T>(T value, JsonTypeInfo<T> typeInfo) : IResult, IStatusCodeHttpResult, IValueHttpResult<T>, IEndpointMetadataProvider
{
    public T Value => value;

    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext) =>
        GatewayJson.WriteAsync(httpContext.Response, StatusCodes.Status200OK, value, typeInfo);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}

/// <summary>A 200 answer whose JSON was rendered before (an idempotent replay sends the very same bytes).</summary>
public sealed class JsonBytesOk<T>(byte[] body, bool replayed) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => StatusCodes.Status200OK;

    /// <summary>The rendered answer, for callers in the gateway that act on it (the dashboard's make-call form).</summary>
    public ReadOnlyMemory<byte> Body => body;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GatewayJson.ContentType;
        response.Headers.XContentTypeOptions = "nosniff";
        if (replayed)
        {
            response.Headers["Idempotent-Replayed"] = "true";
        }
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}
