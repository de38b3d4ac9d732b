using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Salpre.Gateway.Devices;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Gateway.RateLimits;
using Salpre.Gateway.Telemetry;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;
using Salpre.Storage.Devices;

namespace Salpre.Gateway.Calls;

/// <summary>POST /call/make-call: a Salpre Box of the account dials a number for an AI agent.</summary>
public static class MakeCallEndpoint
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static RouteHandlerBuilder MapMakeCall(this RouteGroupBuilder group) =>
        group.MapPost("/make-call", MakeCall)
            .WithName("MakeCall")
            .WithSummary("Start a call through a Salpre Box")
            .WithDescription("`from` is `salprebox:SERIAL_NO` of a connected box of the account, `to` an E.164 number, `agent_id` " +
                             "the AI agent. Send an `Idempotency-Key` to make retries safe: the same key and request get the " +
                             "first answer for 24 h; the same key with another request answers 409.")
            .Accepts<MakeCallForm>("multipart/form-data", "application/x-www-form-urlencoded", "application/json")
            .Produces<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType)
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests)
            .RequireScope(KeyScopes.Write);

    internal static async Task<Results<JsonBytesOk<DataResponse<MakeCallResult>>, BadRequest<ErrorResponse>, Conflict<ErrorResponse>, JsonHttpResult<ErrorResponse>>> MakeCall(
        ApiCaller caller,
        HttpContext context,
        ICallStore calls,
        IDeviceStore devices,
        DeviceConnectivity connectivity,
        MakeCallLimiter limiter,
        GatewayMetrics metrics,
        TimeProvider time,
        IOptions<MakeCallOptions> options,
        CancellationToken cancellationToken)
    {
        var key = context.Request.Headers[IdempotencyHeader];
        if (key.Count > 1 || key.Count == 1 && !IsValidKey(key[0]))
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, IdempotencyHeader));
        }
        var (request, refusal) = await MakeCallRequest.ReadAsync(context.Request, cancellationToken);
        if (request is null)
        {
            return refusal!.ToResult(context);
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var claim = key.Count == 1
            ? new IdempotencyClaim(key[0]!, request.Fingerprint(), now - (long)options.Value.IdempotencyWindow.TotalSeconds)
            : null;
        // A retry of an answered request gets its answer again, whatever the box or the call rate is doing now.
        var outcome = claim is null ? null : await calls.FindIdempotentAsync(caller.AccountId, claim, cancellationToken);
        if (outcome is null)
        {
            var device = await devices.FindAsync(caller.AccountId, request.Serial, cancellationToken);
            if (device is null)
            {
                return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "from"));
            }
            if (!connectivity.IsConnected(device))
            {
                return TypedResults.Conflict(ApiErrors.Conflict(context, "Device is not connected"));
            }
            var rate = await limiter.TakeAsync(caller.AccountId, cancellationToken);
            if (!rate.Allowed)
            {
                context.Response.Headers.RetryAfter = KeyRateLimiter.SecondsOf(rate.RetryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (rate.Verdict == BucketVerdict.Limited)
                {
                    metrics.MakeCallRateLimited();
                }
                return rate.Verdict == BucketVerdict.Limited
                    ? TypedResults.Json(ApiErrors.RateLimited(context, "Too many calls. Please retry after the Retry-After delay"), statusCode: StatusCodes.Status429TooManyRequests)
                    : TypedResults.Json(ApiErrors.ForStatus(context, StatusCodes.Status503ServiceUnavailable), statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            outcome = await calls.CreateAsync(caller.AccountId, new NewCall(request.From, request.To, request.AgentId, now), claim, RenderAnswer, cancellationToken);
        }
        return outcome switch
        {
            CreateOutcome.Created created => new JsonBytesOk<DataResponse<MakeCallResult>>(created.Response, replayed: false),
            CreateOutcome.Replayed replayed => new JsonBytesOk<DataResponse<MakeCallResult>>(replayed.Response, replayed: true),
            _ => TypedResults.Conflict(ApiErrors.Conflict(context, "This Idempotency-Key was used for another request")),
        };
    }

    private static byte[] RenderAnswer(CallRecord call) => GatewayJsonBytes.Render(
        new DataResponse<MakeCallResult>(new MakeCallResult(CallIds.Format(call.CallNum), call.Status, call.AgentId, call.From, call.To)),
        GatewayJsonContext.Default.DataResponseMakeCallResult);

    /// <summary>1 to 255 characters of letters, digits, '_', ':' and '-' (as Stripe and the IETF draft allow).</summary>
    private static bool IsValidKey(string? key) =>
        key is { Length: > 0 and <= 255 } && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':' or '-');
}

/// <summary>The make-call fields, as a form or JSON object, for the API description.</summary>
public sealed record MakeCallForm(string From, string To, string AgentId);
