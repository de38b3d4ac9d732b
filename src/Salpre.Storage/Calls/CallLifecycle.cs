namespace Salpre.Storage.Calls;

/// <summary>
/// Where a call may go next: <c>initiated → ringing → in-progress → completed</c>, or an early end. A call ends in
/// busy, no-answer, failed or canceled before it is answered, and in completed, failed or canceled after; a final
/// status is final. A report may skip a step (a lost ringing report does not block in-progress).
/// </summary>
public static class CallLifecycle
{
    /// <summary>
    /// Whether a call counts as answered: it reached in-progress; a call imported without reports, when it talked for
    /// a second or more (or is in progress).
    /// </summary>
    public static bool IsAnsweredImport(CallRecord call) => call.Status == CallStatus.InProgress || call.DurationSec > 0;

    public static bool CanMove(CallStatus from, CallStatus to) => (from, to) switch
    {
        (CallStatus.Initiated, CallStatus.Ringing or CallStatus.InProgress or CallStatus.Busy or CallStatus.NoAnswer
            or CallStatus.Failed or CallStatus.Canceled) => true,
        (CallStatus.Ringing, CallStatus.InProgress or CallStatus.Busy or CallStatus.NoAnswer
            or CallStatus.Failed or CallStatus.Canceled) => true,
        (CallStatus.InProgress, CallStatus.Completed or CallStatus.Failed or CallStatus.Canceled) => true,
        _ => false,
    };

    /// <summary>
    /// Judges a report against the call and its accepted reports: an exact repeat, a conflict (backwards, after a
    /// final status, or before the last report), or the call as the report leaves it.
    /// </summary>
    public static EventOutcome Judge(CallRecord call, IReadOnlyList<CallEventRecord> events, CallEvent report)
    {
        if (events.FirstOrDefault(e => e.Status == report.Status) is { } same)
        {
            return new EventOutcome(same.At == report.At && same.Detail == report.Detail ? EventResult.Repeated : EventResult.Conflict, call);
        }
        if (!CanMove(call.Status, report.Status) || report.At < call.StartedAt || events.Any(e => e.At > report.At))
        {
            return new EventOutcome(EventResult.Conflict, call);
        }
        var moved = call with { Status = report.Status };
        if (report.Status.IsFinal())
        {
            // Talk time counts from the answer; a call never answered talked for 0 seconds.
            var answered = events.FirstOrDefault(e => e.Status == CallStatus.InProgress);
            moved = moved with { EndedAt = report.At, DurationSec = answered is null ? 0 : (int)(report.At - answered.At) };
        }
        return new EventOutcome(EventResult.Applied, moved);
    }
}

/// <summary>A status report of a box about a call. <see cref="At"/> is Unix seconds.</summary>
public sealed record CallEvent(CallStatus Status, long At, string? Detail);

/// <summary>What a final report may add to a call.</summary>
public sealed record CallOutcome(string? AudioRecordUrl, string? Transcript, string? VariablesJson);

public enum EventResult
{
    /// <summary>The report moved the call.</summary>
    Applied,

    /// <summary>The same report was accepted before; nothing changed.</summary>
    Repeated,

    /// <summary>The report would move the call backwards, out of a final status, or before its last report.</summary>
    Conflict,

    NotFound,
}

/// <param name="Call">The call after the report (as it stands for Repeated and Conflict); null when not found.</param>
public sealed record EventOutcome(EventResult Result, CallRecord? Call);

/// <summary>A call asked for through make-call; it starts <c>initiated</c>, outbound, at <see cref="StartedAt"/>.</summary>
public sealed record NewCall(string From, string To, long AgentId, long StartedAt);

/// <summary>
/// The idempotency key a make-call came with: one call per key and account; a key older than
/// <see cref="ExpiredBefore"/> (Unix seconds) is forgotten and may create a new call.
/// </summary>
public sealed record IdempotencyClaim(string Key, byte[] RequestHash, long ExpiredBefore);

public abstract record CreateOutcome
{
    /// <summary>A new call, and the answer given for it (kept for the key's retries).</summary>
    public sealed record Created(CallRecord Call, byte[] Response) : CreateOutcome;

    /// <summary>The key's earlier request was the same: its answer again.</summary>
    public sealed record Replayed(byte[] Response) : CreateOutcome;

    /// <summary>The key was used for a different request.</summary>
    public sealed record KeyReused : CreateOutcome;
}

public sealed record CallEventRecord(CallStatus Status, long At, string? Detail);
