namespace Salpre.Storage.Calls;

/// <summary>A stored call as the list shows it. Times are Unix seconds, UTC.</summary>
public sealed record CallRecord(
    long CallNum,
    CallStatus Status,
    string From,
    string To,
    long AgentId,
    CallDirection Direction,
    long StartedAt,
    long? EndedAt,
    int? DurationSec);

/// <summary>A call with the parts that only its details show.</summary>
/// <param name="VariablesJson">A JSON object, or null when the call has none.</param>
public sealed record CallDetailsRecord(
    CallRecord Call,
    string? AudioRecordUrl,
    string? Transcript,
    string? VariablesJson);
