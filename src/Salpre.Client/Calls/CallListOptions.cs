namespace Salpre.Client;

/// <summary>Filters, order and paging of the call list. Every filter is optional; those given are combined with AND.</summary>
public sealed record CallListOptions : CallFilterOptions
{
    /// <summary>No filter: the newest calls first, the server's page size.</summary>
    public CallListOptions()
    {
    }

    /// <summary>The filters of <paramref name="filters"/> (of the statistics, say), with the list's own options unset.</summary>
    public CallListOptions(CallFilterOptions filters)
        : base(filters ?? throw new ArgumentNullException(nameof(filters)))
    {
    }

    /// <summary>Calls a page, 1 to 100 (the server's default is 10).</summary>
    public int? PerPage { get; init; }

    /// <summary>A page number from 1; for deep paging prefer <see cref="Cursor"/>.</summary>
    public long? Page { get; init; }

    /// <summary>The <see cref="CallPage.NextCursor"/> of the previous page.</summary>
    public string? Cursor { get; init; }

    public CallOrder? Order { get; init; }

    /// <summary>Ask for <see cref="CallPage.Total"/> (costs the server a count).</summary>
    public bool IncludeTotal { get; init; }
}
