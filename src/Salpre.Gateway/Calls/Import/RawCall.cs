namespace Salpre.Gateway.Calls.Import;

/// <summary>
/// One call as a file gives it, every field as text (numbers as their digits, <c>variables</c> as JSON) or null,
/// so that NDJSON and CSV share one validation.
/// </summary>
public sealed record RawCall(
    string? CallId,
    string? Status,
    string? From,
    string? To,
    string? AgentId,
    string? Direction,
    string? StartedAt,
    string? EndedAt,
    string? DurationSec,
    string? AudioRecordUrl,
    string? Transcript,
    string? Variables);

/// <summary>A line of an import file: the call it holds, or why it holds none.</summary>
public readonly record struct ImportLine(long LineNumber, RawCall? Call, string? Error);
