using System.Globalization;
using System.Text.Json;
using Salpre.Gateway.Hosting;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls.Import;

/// <summary>A call that passed validation; <see cref="CallNum"/> is null when the file gave no call_id.</summary>
public sealed record ValidCall(long? CallNum, CallDetailsRecord Details);

/// <summary>Checks an imported call against the contract's call object, and says what is wrong in plain words.</summary>
public static class CallValidation
{
    public const int MaxTextLength = 256;
    public const int MaxUrlLength = 2048;
    public const int MaxTranscriptLength = 1_000_000;
    public const int MaxVariablesLength = 65_536;

    private static readonly string[] s_instantFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    public static bool TryValidate(RawCall raw, out ValidCall call, out string error)
    {
        call = null!;
        long? callNum = null;
        if (raw.CallId is not null)
        {
            if (!CallIds.TryParse(raw.CallId, out var parsed)) return Fail("call_id must look like c123 or 123", out error);
            callNum = parsed;
        }
        if (!CallStatuses.TryParse(raw.Status, out CallStatus status)) return Fail("status must be one of initiated, ringing, in-progress, completed, busy, no-answer, failed, canceled", out error);
        if (!IsText(raw.From)) return Fail($"from is required (1 to {MaxTextLength} characters)", out error);
        if (!IsE164(raw.To)) return Fail("to must be an E.164 number such as +905321234567", out error);
        if (!TryParseCount(raw.AgentId, long.MaxValue, out var agentId)) return Fail("agent_id must be a non-negative integer", out error);
        if (!CallStatuses.TryParse(raw.Direction, out CallDirection direction)) return Fail("direction must be outbound or inbound", out error);
        if (!TryParseInstant(raw.StartedAt, out var startedAt)) return Fail("started_at must be an ISO-8601 instant with Z or an offset", out error);

        long? endedAt = null;
        if (raw.EndedAt is not null)
        {
            if (!TryParseInstant(raw.EndedAt, out var ended)) return Fail("ended_at must be an ISO-8601 instant with Z or an offset", out error);
            if (ended < startedAt) return Fail("ended_at is before started_at", out error);
            endedAt = ended;
        }
        int? duration = null;
        if (raw.DurationSec is not null)
        {
            if (!TryParseCount(raw.DurationSec, int.MaxValue, out var seconds)) return Fail("duration_sec must be a non-negative integer", out error);
            duration = (int)seconds;
        }
        if (status.IsFinal() && (endedAt is null || duration is null)) return Fail($"a {status.ToWire()} call needs ended_at and duration_sec", out error);
        if (!status.IsFinal() && (endedAt is not null || duration is not null)) return Fail($"a {status.ToWire()} call has not ended: ended_at and duration_sec must be empty", out error);
        if (duration > endedAt - startedAt) return Fail("duration_sec is longer than the call", out error);

        if (raw.AudioRecordUrl is not null && !IsHttpUrl(raw.AudioRecordUrl)) return Fail("audio_record_url must be an http or https URL", out error);
        if (raw.Transcript is { Length: > MaxTranscriptLength }) return Fail("transcript is too long", out error);
        if (raw.Transcript is not null && !TextRules.IsFreeText(raw.Transcript)) return Fail("transcript holds a control character or invalid Unicode", out error);
        if (raw.Variables is not null && !IsJsonObject(raw.Variables)) return Fail("variables must be a JSON object (at most 64 KB) of valid Unicode without control characters", out error);

        call = new ValidCall(callNum, new CallDetailsRecord(
            new CallRecord(callNum ?? 0, status, raw.From!, raw.To!, agentId, direction, startedAt, endedAt, duration),
            raw.AudioRecordUrl, raw.Transcript, raw.Variables));
        error = "";
        return true;
    }

    private static bool Fail(string reason, out string error)
    {
        error = reason;
        return false;
    }

    private static bool IsText(string? text) =>
        text is { Length: > 0 and <= MaxTextLength } && TextRules.IsName(text);

    /// <summary>An E.164 number by its shape alone (a plus, then 2 to 15 digits), as imports and erasures take it.</summary>
    public static bool IsE164(string? text) =>
        text is { Length: >= 3 and <= 16 } && text[0] == '+' && text[1] is >= '1' and <= '9' && text.Skip(1).All(char.IsAsciiDigit);

    private static bool TryParseCount(string? text, long max, out long value)
    {
        value = 0;
        return text is { Length: > 0 and <= 19 }
               && text.All(char.IsAsciiDigit)
               && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)
               && value <= max;
    }

    /// <summary>An instant with an explicit offset, truncated to the second.</summary>
    public static bool TryParseInstant(string? text, out long unixSeconds)
    {
        unixSeconds = 0;
        if (text is null || !(text.EndsWith('Z') || text.Length > 6 && text[^6] is '+' or '-')
            || !DateTimeOffset.TryParseExact(text, s_instantFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return false;
        }
        unixSeconds = instant.ToUnixTimeSeconds();
        return true;
    }

    public static bool IsHttpUrl(string text) =>
        text.Length <= MaxUrlLength
        && TextRules.IsName(text)
        && Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    public static bool IsJsonObject(string text)
    {
        if (text.Length > MaxVariablesLength)
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object && TextRules.IsCleanJson(document.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
