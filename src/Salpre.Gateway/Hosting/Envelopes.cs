using System.Text.Json.Serialization;

namespace Salpre.Gateway.Hosting;

/// <summary>A success with a single value: <c>{"status":"success","data":...}</c>.</summary>
public sealed record DataResponse<T>(T Data)
{
    [JsonPropertyOrder(-1)]
    public string Status => "success";
}

/// <summary>
/// Every failure: <c>status</c> and <c>message</c> first with the contract's exact texts, then a stable
/// machine-readable <c>code</c>, the offending <c>param</c> when there is one, and the request id.
/// </summary>
public sealed record ErrorResponse(
    string Message,
    string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Param,
    string RequestId)
{
    [JsonPropertyOrder(-1)]
    public string Status => "error";
}

/// <summary>The stable error codes of the contract.</summary>
public static class ErrorCodes
{
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string InvalidParameter = "invalid_parameter";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string RateLimited = "rate_limited";
    public const string Unavailable = "unavailable";
    public const string Internal = "internal";
}

public sealed record ServiceState(string State);
