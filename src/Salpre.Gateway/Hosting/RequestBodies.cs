using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Salpre.Gateway.Hosting;

/// <summary>
/// Request bodies read whole and checked before any field is used: whatever the framework's JSON or form readers
/// refuse, and any text that <see cref="TextRules"/> does not pass, is a 400, 413 or 415 here, never a fault later.
/// </summary>
public static class RequestBodies
{
    /// <summary>A JSON object whose every string is clean; the caller disposes the document.</summary>
    public static async Task<(JsonDocument? Document, BodyRefusal? Refusal)> ReadJsonObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType() || !IsUtf8(request.ContentType))
        {
            return (null, BodyRefusal.UnsupportedMediaType);
        }
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return (null, BodyRefusal.Malformed);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, BodyRefusal.Malformed);
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var refusal = NameOf(property) is not { } name || !TextRules.IsName(name) ? BodyRefusal.Malformed
                : !names.Add(name) || !TextRules.IsCleanJson(property.Value) ? BodyRefusal.Invalid(name)
                : null;
            if (refusal is not null)
            {
                document.Dispose();
                return (null, refusal);
            }
        }
        return (document, null);
    }

    /// <summary>A JSON object read as <typeparamref name="T"/> once its text is known to be clean.</summary>
    public static async Task<(T? Value, BodyRefusal? Refusal)> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        var (document, refusal) = await ReadJsonObjectAsync(request, cancellationToken);
        if (document is null)
        {
            return (null, refusal);
        }
        using (document)
        {
            try
            {
                return document.Deserialize(typeInfo) is { } value ? (value, null) : (null, BodyRefusal.Malformed);
            }
            catch (JsonException)
            {
                return (null, BodyRefusal.Malformed); // a field of the wrong JSON type
            }
        }
    }

    /// <summary>A multipart or URL-encoded form whose every name and value is clean.</summary>
    public static async Task<(IFormCollection? Form, BodyRefusal? Refusal)> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var urlEncoded = MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        if (urlEncoded)
        {
            request.EnableBuffering(); // kept to name the field of a %00, which the framework's reader refuses without saying where
        }
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception undecodable) when (urlEncoded && undecodable is InvalidDataException or InvalidOperationException)
        {
            return (null, await FindUnreadableFieldAsync(request, cancellationToken));
        }
        catch (BadHttpRequestException tooLargeOrCut)
        {
            return (null, tooLargeOrCut.StatusCode == StatusCodes.Status413PayloadTooLarge ? BodyRefusal.TooLarge : BodyRefusal.Malformed);
        }
        catch (Exception charset) when (charset is ArgumentException or NotSupportedException)
        {
            return (null, BodyRefusal.UnsupportedMediaType); // a charset the reader cannot decode (utf-7, unknown names)
        }
        catch (Exception malformed) when (malformed is InvalidDataException or IOException or InvalidOperationException)
        {
            // No or an oversized boundary, a body cut short, too many or too long fields or part headers.
            return (null, BodyRefusal.Malformed);
        }
        foreach (var (name, values) in form)
        {
            if (!TextRules.IsName(name))
            {
                return (null, BodyRefusal.Malformed);
            }
            if (values.Any(value => !TextRules.IsFreeText(value)))
            {
                return (null, BodyRefusal.Invalid(name));
            }
        }
        return (form, null);
    }

    /// <summary>
    /// The field of a URL-encoded form (of at most <see cref="MaxRescannedForm"/> characters) whose value is not free
    /// text, as the form reader refused it: the same answer as any other unclean value, naming the field.
    /// </summary>
    private static async Task<BodyRefusal> FindUnreadableFieldAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.Body.Position = 0;
        using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var buffer = new char[MaxRescannedForm + 1];
        var length = await reader.ReadBlockAsync(buffer, cancellationToken);
        if (length > MaxRescannedForm)
        {
            return BodyRefusal.Malformed;
        }
        foreach (var pair in new string(buffer, 0, length).Split('&'))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = WebUtility.UrlDecode(equals < 0 ? pair : pair[..equals]);
            if (!TextRules.IsName(name))
            {
                return BodyRefusal.Malformed;
            }
            if (equals >= 0 && !TextRules.IsFreeText(WebUtility.UrlDecode(pair[(equals + 1)..])))
            {
                return BodyRefusal.Invalid(name);
            }
        }
        return BodyRefusal.Malformed;
    }

    private const int MaxRescannedForm = 64 * 1024;

    /// <summary>A property's name, or null when it cannot be read (a lone surrogate or invalid UTF-8).</summary>
    private static string? NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    // JSON is UTF-8 (RFC 8259); a body that says it is something else is not read as if it were.
    private static bool IsUtf8(string? contentType) =>
        !MediaTypeHeaderValue.TryParse(contentType, out var type) || type.Charset.Value is not { } charset
        || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Why a body was refused, and the answer that says so.</summary>
public sealed record BodyRefusal(int Status, string? Field)
{
    public static readonly BodyRefusal Malformed = new(StatusCodes.Status400BadRequest, null);
    public static readonly BodyRefusal TooLarge = new(StatusCodes.Status413PayloadTooLarge, null);
    public static readonly BodyRefusal UnsupportedMediaType = new(StatusCodes.Status415UnsupportedMediaType, null);

    /// <summary>A field's value is refused; the answer names the field when it is a parameter name (snake_case).</summary>
    public static BodyRefusal Invalid(string field) =>
        field is { Length: > 0 and <= 64 } && field.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            ? new(StatusCodes.Status400BadRequest, field)
            : Malformed;

    public JsonHttpResult<ErrorResponse> ToResult(HttpContext context) => TypedResults.Json(
        Field is not null ? ApiErrors.InvalidParameter(context, Field)
        : Status == StatusCodes.Status400BadRequest ? ApiErrors.MalformedBody(context)
        : ApiErrors.ForStatus(context, Status),
        statusCode: Status);
}
