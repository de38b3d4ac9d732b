namespace Salpre.Client;

/// <summary>One page of the call list, with the list's paging facts.</summary>
/// <param name="Items">The calls of this page, in list order.</param>
/// <param name="Page">The page number (still counted when paging by cursor).</param>
/// <param name="PerPage">The page size the server used.</param>
/// <param name="HasNext">Whether a next page has at least one call.</param>
/// <param name="NextCursor">Pass as <see cref="CallListOptions.Cursor"/> for the next page; null on the last page, and from servers without cursors.</param>
/// <param name="Total">The number of matching calls, when asked for with <see cref="CallListOptions.IncludeTotal"/>.</param>
/// <param name="IgnoredParameters">Query parameters the server did not know (a typo, or a filter it lacks).</param>
public sealed record CallPage(
    IReadOnlyList<Call> Items,
    long Page,
    int PerPage,
    bool HasNext,
    string? NextCursor,
    long? Total,
    IReadOnlyList<string> IgnoredParameters);
