using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls.Export;

public enum CallExportFormat
{
    Ndjson,
    Csv,
}

/// <summary>
/// What an export asks for: the list's filters and order, the format, whether details come too, and the call after
/// which it resumes. Unlike the list, an unknown parameter is refused: an export has no meta to report it in, and a
/// misspelled filter would otherwise export every call.
/// </summary>
public sealed record CallExportRequest(CallFilter Filter, bool Ascending, CallExportFormat Format, bool WithDetails, long? AfterCallNum)
{
    private static readonly HashSet<string> s_knownNames =
        new(CallFilterParameters.Names, StringComparer.OrdinalIgnoreCase) { "order", "format", "include", "after" };

    /// <summary>Parses the query, or names the first parameter that is invalid.</summary>
    public static bool TryParse(IQueryCollection query, string? rawQuery, out CallExportRequest request, out string invalidParameter)
    {
        request = null!;
        invalidParameter = query.Keys.FirstOrDefault(name => !s_knownNames.Contains(name)) ?? "";
        if (invalidParameter.Length > 0)
        {
            return false;
        }
        var result = Parse(query, rawQuery);
        invalidParameter = result.Invalid ?? "";
        request = result.Request!;
        return result.Invalid is null;
    }

    private static (CallExportRequest? Request, string? Invalid) Parse(IQueryCollection query, string? rawQuery)
    {
        if (CallFilterParameters.Parse(query, rawQuery, out var filter, out _) is { } invalidFilter) return (null, invalidFilter);
        if (!CallFilterParameters.TryGetSingle(query, "order", out var order) || order is not (null or "asc" or "desc")) return (null, "order");
        if (!CallFilterParameters.TryGetSingle(query, "format", out var format) || format is not (null or "ndjson" or "csv")) return (null, "format");
        if (!CallFilterParameters.TryGetSingle(query, "include", out var include) || include is not (null or "details")) return (null, "include");
        if (!CallFilterParameters.TryGetSingle(query, "after", out var afterText)) return (null, "after");
        long? after = null;
        if (afterText is not null)
        {
            if (!CallIds.TryParse(afterText, out var callNum)) return (null, "after");
            after = callNum;
        }
        return (new CallExportRequest(filter, order == "asc", format == "csv" ? CallExportFormat.Csv : CallExportFormat.Ndjson, include == "details", after), null);
    }
}
