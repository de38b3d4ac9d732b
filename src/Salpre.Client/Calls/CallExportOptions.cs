namespace Salpre.Client;

/// <summary>What <see cref="CallsClient.ExportAsync"/> exports: the list's filters and order, with details or not.</summary>
public sealed record CallExportOptions : CallFilterOptions
{
    /// <summary>Every call, newest first, without details.</summary>
    public CallExportOptions()
    {
    }

    /// <summary>The filters of <paramref name="filters"/> (of the list, say), with the export's own options unset.</summary>
    public CallExportOptions(CallFilterOptions filters)
        : base(filters ?? throw new ArgumentNullException(nameof(filters)))
    {
    }

    public CallOrder? Order { get; init; }

    /// <summary>Each call as <see cref="CallDetails"/>: with its recording, transcript and variables.</summary>
    public bool IncludeDetails { get; init; }

    /// <summary>A <see cref="Call.CallId"/> already received: the export goes on right after it.</summary>
    public string? After { get; init; }
}
