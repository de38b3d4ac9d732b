using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Salpre.Gateway.Calls.Import;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls;

/// <summary>A call's lifecycle: the boxes' status reports in (POST /call/{id}/events), its log out (GET /call/{id}/logs).</summary>
public static class CallEventsEndpoints
{
    public const int MaxDetailLength = 2000;

    /// <summary>How far ahead of the gateway's clock a report's time may be (box clocks drift).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public static RouteGroupBuilder MapCallEvents(this RouteGroupBuilder group)
    {
        group.MapPost("/{id}/events", ReportEvent)
            .WithName("ReportCallEvent")
            .WithSummary("Report a call's new status (Salpre Box)")
            .WithDescription("Moves the call along `initiated → ringing → in-progress → completed`, or ends it early in busy, " +
                             "no-answer, failed or canceled. A report that would move the call backwards, out of a final status " +
                             "or before its last report answers 409 and changes nothing; the same report again is acknowledged " +
                             "with no second effect. A final report may carry audio_record_url, transcript and variables.")
            .Accepts<CallEventBody>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType)
            .RequireScope(KeyScopes.Ingest);

        group.MapGet("/{id}/logs", GetLogs)
            .WithName("GetCallLogs")
            .WithSummary("Get a call's lifecycle events, oldest first")
            .RequireScope(KeyScopes.Read);
        return group;
    }

    internal static async Task<Results<JsonOk<DataResponse<CallItem>>, BadRequest<ErrorResponse>, NotFound<ErrorResponse>, Conflict<ErrorResponse>, JsonHttpResult<ErrorResponse>>> ReportEvent(
        string id, ApiCaller caller, HttpContext context, ICallStore calls, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!CallIds.TryParse(id, out var callNum))
        {
            return TypedResults.NotFound(ApiErrors.CallNotFound(context));
        }
        var (body, refusal) = await RequestBodies.ReadJsonAsync(context.Request, GatewayJsonContext.Default.CallEventBody, cancellationToken);
        if (body is null)
        {
            return refusal!.ToResult(context);
        }
        if (!TryRead(body, time.GetUtcNow(), out var report, out var outcome, out var invalid))
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, invalid));
        }

        var result = await calls.RecordEventAsync(caller.AccountId, callNum, report, outcome, cancellationToken);
        return result.Result switch
        {
            EventResult.Applied or EventResult.Repeated => new JsonOk<DataResponse<CallItem>>(new(CallItem.Of(result.Call!)), GatewayJsonContext.Default.DataResponseCallItem),
            EventResult.Conflict => TypedResults.Conflict(ApiErrors.Conflict(context,
                $"Conflict. The call is {result.Call!.Status.ToWire()} and cannot take this {report.Status.ToWire()} report")),
            _ => TypedResults.NotFound(ApiErrors.CallNotFound(context)),
        };
    }

    internal static async Task<Results<JsonOk<DataResponse<IReadOnlyList<CallLogEntry>>>, NotFound<ErrorResponse>>> GetLogs(
        string id, ApiCaller caller, HttpContext context, ICallStore calls, CancellationToken cancellationToken)
    {
        var events = CallIds.TryParse(id, out var callNum)
            ? await calls.ListEventsAsync(caller.AccountId, callNum, cancellationToken)
            : null;
        if (events is null)
        {
            return TypedResults.NotFound(ApiErrors.CallNotFound(context));
        }
        IReadOnlyList<CallLogEntry> entries = [.. events.Select(e => new CallLogEntry(DateTimeOffset.FromUnixTimeSeconds(e.At), e.Status, e.Detail))];
        return new JsonOk<DataResponse<IReadOnlyList<CallLogEntry>>>(new(entries), GatewayJsonContext.Default.DataResponseIReadOnlyListCallLogEntry);
    }

    /// <summary>Checks a report; the outcome fields belong to final reports only.</summary>
    private static bool TryRead(CallEventBody body, DateTimeOffset now, out CallEvent report, out CallOutcome? outcome, out string invalid)
    {
        (report, outcome) = (null!, null);
        invalid = "status";
        if (!CallStatuses.TryParse(body.Status, out CallStatus status) || status == CallStatus.Initiated) return false;
        var at = now.ToUnixTimeSeconds();
        invalid = "at";
        if (body.At is not null && (!CallValidation.TryParseInstant(body.At, out at) || at > (now + MaxClockSkew).ToUnixTimeSeconds())) return false;
        invalid = "detail";
        if (body.Detail is { Length: > MaxDetailLength }) return false;

        var final = status.IsFinal();
        invalid = "audio_record_url";
        if (body.AudioRecordUrl is not null && (!final || !CallValidation.IsHttpUrl(body.AudioRecordUrl))) return false;
        invalid = "transcript";
        if (body.Transcript is not null && (!final || body.Transcript.Length > CallValidation.MaxTranscriptLength)) return false;
        invalid = "variables";
        var variables = body.Variables?.GetRawText();
        if (variables is not null && (!final || body.Variables!.Value.ValueKind != JsonValueKind.Object || variables.Length > CallValidation.MaxVariablesLength)) return false;

        report = new CallEvent(status, at, body.Detail);
        outcome = (body.AudioRecordUrl ?? body.Transcript ?? variables) is null ? null : new CallOutcome(body.AudioRecordUrl, body.Transcript, variables);
        invalid = "";
        return true;
    }
}

/// <summary>A status report: the new status, when it happened (default: now), a short detail, and, on a final report, the outcome.</summary>
public sealed record CallEventBody(string? Status, string? At, string? Detail, string? AudioRecordUrl, string? Transcript, JsonElement? Variables);
