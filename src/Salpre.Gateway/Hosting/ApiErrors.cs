namespace Salpre.Gateway.Hosting;

/// <summary>The error envelopes of the contract, with their exact messages.</summary>
public static class ApiErrors
{
    public const string UnauthorizedMessage = "Unauthorized. Missing or invalid account-secret-key";
    public const string CallNotFoundMessage = "Call not found. Please check the call ID.";

    public static ErrorResponse Unauthorized(HttpContext context) =>
        new(UnauthorizedMessage, ErrorCodes.Unauthorized, null, context.TraceIdentifier);

    public static ErrorResponse Forbidden(HttpContext context, string scope) =>
        new($"Forbidden. This account-secret-key lacks the {scope} scope", ErrorCodes.Forbidden, null, context.TraceIdentifier);

    public static ErrorResponse InvalidParameter(HttpContext context, string name) =>
        new($"Invalid {name} value", ErrorCodes.InvalidParameter, name, context.TraceIdentifier);

    /// <summary>An invalid value with the reason it is refused: <c>Invalid url value: ...</c>.</summary>
    public static ErrorResponse InvalidParameter(HttpContext context, string name, string reason) =>
        new($"Invalid {name} value: {reason}", ErrorCodes.InvalidParameter, name, context.TraceIdentifier);

    public static ErrorResponse CallNotFound(HttpContext context) =>
        new(CallNotFoundMessage, ErrorCodes.NotFound, null, context.TraceIdentifier);

    public static ErrorResponse NotFound(HttpContext context, string message) =>
        new(message, ErrorCodes.NotFound, null, context.TraceIdentifier);

    public static ErrorResponse Conflict(HttpContext context, string message) =>
        new(message, ErrorCodes.Conflict, null, context.TraceIdentifier);

    public static ErrorResponse MalformedBody(HttpContext context) =>
        new("Malformed request body", ErrorCodes.InvalidParameter, null, context.TraceIdentifier);

    public static ErrorResponse UnsupportedMediaType(HttpContext context) => ForStatus(context, StatusCodes.Status415UnsupportedMediaType);

    public static ErrorResponse RateLimited(HttpContext context, string message) =>
        new(message, ErrorCodes.RateLimited, null, context.TraceIdentifier);

    /// <summary>The envelope for a failure the framework or the host produced rather than an endpoint.</summary>
    public static ErrorResponse ForStatus(HttpContext context, int status) => status switch
    {
        StatusCodes.Status400BadRequest => new("Bad request", ErrorCodes.InvalidParameter, null, context.TraceIdentifier),
        StatusCodes.Status401Unauthorized => Unauthorized(context),
        StatusCodes.Status404NotFound => new("Not found", ErrorCodes.NotFound, null, context.TraceIdentifier),
        StatusCodes.Status405MethodNotAllowed => new("Method not allowed", ErrorCodes.NotFound, null, context.TraceIdentifier),
        StatusCodes.Status408RequestTimeout => new("Request timeout", ErrorCodes.InvalidParameter, null, context.TraceIdentifier),
        StatusCodes.Status413PayloadTooLarge => new("Request body too large", ErrorCodes.InvalidParameter, null, context.TraceIdentifier),
        StatusCodes.Status415UnsupportedMediaType => new("Unsupported media type", ErrorCodes.InvalidParameter, null, context.TraceIdentifier),
        StatusCodes.Status431RequestHeaderFieldsTooLarge => new("Request headers too large", ErrorCodes.InvalidParameter, null, context.TraceIdentifier),
        StatusCodes.Status503ServiceUnavailable => new("Service unavailable. Please retry shortly", ErrorCodes.Unavailable, null, context.TraceIdentifier),
        >= 500 => new("Internal server error", ErrorCodes.Internal, null, context.TraceIdentifier),
        _ => new("Request failed", ErrorCodes.InvalidParameter, null, context.TraceIdentifier),
    };

    public static Task WriteAsync(HttpContext context, int status, ErrorResponse error) =>
        GatewayJson.WriteAsync(context.Response, status, error, GatewayJsonContext.Default.ErrorResponse);
}
