using System.CommandLine;
using System.CommandLine.Parsing;
using Salpre.Client;

namespace Salpre.Cli;

/// <summary>The options every command takes, and the client they make.</summary>
public sealed class GlobalOptions
{
    public const string KeyVariable = "SALPRE_API_KEY";
    public const string BaseUrlVariable = "SALPRE_BASE_URL";

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = $"The account secret key (default: ${KeyVariable}).",
        Recursive = true,
    };

    public Option<Uri?> BaseUrl { get; } = new("--base-url")
    {
        Description = $"The API's address, e.g. http://127.0.0.1:5080 (default: ${BaseUrlVariable}, else {SalpreClientOptions.HostedBaseAddress}).",
        Recursive = true,
        CustomParser = result => HttpUrl(result, "--base-url"),
    };

    /// <summary>An absolute http or https address; anything else is a usage error naming <paramref name="name"/>.</summary>
    public static Uri? HttpUrl(ArgumentResult result, string name)
    {
        var text = result.Tokens.Single().Value;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }
        result.AddError($"{name}: '{text}' is not an http or https address.");
        return null;
    }

    /// <summary>A client from the options or, failing them, the environment; null (with the reason) when no key was given.</summary>
    public SalpreClient? CreateClient(ParseResult parse, CliEnvironment environment, out string? problem)
    {
        var key = parse.GetValue(ApiKey) ?? environment.Variable(KeyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            problem = $"no API key: set {KeyVariable} or pass --api-key";
            return null;
        }
        var baseUrl = parse.GetValue(BaseUrl);
        if (baseUrl is null && environment.Variable(BaseUrlVariable) is { Length: > 0 } fromEnvironment)
        {
            if (!Uri.TryCreate(fromEnvironment, UriKind.Absolute, out baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            {
                problem = $"{BaseUrlVariable} is not an http or https address: '{fromEnvironment}'";
                return null;
            }
        }
        problem = null;
        return new SalpreClient(new SalpreClientOptions { ApiKey = key.Trim(), BaseAddress = baseUrl ?? SalpreClientOptions.HostedBaseAddress });
    }
}
