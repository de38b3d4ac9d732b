namespace Salpre.Gateway.Edge;

/// <summary>
/// <c>Cors</c>: the web pages on other origins that may call the API from a browser. None by default: a secret key
/// belongs on a server, and a page that holds one shows it to everyone who opens it.
/// </summary>
public sealed class CrossOriginOptions
{
    public const string Section = "Cors";

    /// <summary>Origins such as <c>https://crm.example.com</c> (scheme, host and port only), or <c>*</c> for any.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may keep a preflight's answer (<c>Access-Control-Max-Age</c>).</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromHours(1);

    public bool AllowsAnyOrigin => AllowedOrigins.Contains("*");

    /// <summary>The first entry that is not an origin, with why; null when all are.</summary>
    public string? Problem()
    {
        if (PreflightMaxAge < TimeSpan.Zero)
        {
            return "Cors:PreflightMaxAge cannot be negative.";
        }
        foreach (var origin in AllowedOrigins)
        {
            if (origin == "*")
            {
                continue;
            }
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.PathAndQuery != "/" || origin.EndsWith('/') || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
            {
                return $"Cors:AllowedOrigins has '{origin}', which is not an origin: write the scheme, host and port only, " +
                    "as a browser sends them (https://crm.example.com, http://localhost:3000), or * for any.";
            }
        }
        return null;
    }
}
