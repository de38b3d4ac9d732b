namespace Salpre.Cli;

/// <summary>The exit codes of <c>salpre</c>, one per kind of failure, so that scripts can tell them apart.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The API refused or failed the request (400, 409, 429, 5xx, or an answer that is not the API's).</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong, or no API key was given.</summary>
    public const int Usage = 2;

    /// <summary>The key is missing, invalid or revoked (401), or lacks the scope (403).</summary>
    public const int Unauthorized = 3;

    /// <summary>The call, webhook endpoint or delivery (or any device) was not found (404).</summary>
    public const int NotFound = 4;

    /// <summary>The API could not be reached, or did not answer in time, after the retries.</summary>
    public const int Unreachable = 5;

    /// <summary>Interrupted by Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
