using Microsoft.AspNetCore.Http.HttpResults;
using Salpre.Gateway.Calls.Import;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls.Removal;

namespace Salpre.Gateway.Calls.Removal;

/// <summary>
/// Calls going away on request: <c>DELETE /call/{id}</c> deletes one; <c>POST /erasures</c> erases every call of a
/// phone number (a person's "forget me"). Both need <c>write</c>; retention (<see cref="RetentionJob"/>) needs no request.
/// </summary>
public static class CallRemovalApi
{
    public static WebApplicationBuilder AddGatewayCallRemoval(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RemovalAudit>();
        builder.Services.AddSingleton<RetentionJob>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RetentionJob>());
        return builder;
    }

    public static void MapCallRemoval(this RouteGroupBuilder calls, IEndpointRouteBuilder routes)
    {
        calls.MapDelete("/{id}", DeleteCall)
            .WithName("DeleteCall")
            .WithSummary("Delete a call")
            .WithDescription("Deletes the call with its details, logs and idempotency answers; it leaves the list, statistics and " +
                             "export, and a `call.deleted` event (its id only) tells the events feed and webhooks. `id` as in GetCall. " +
                             "A second delete answers 404.")
            .RequireScope(KeyScopes.Write);

        routes.MapPost("/api/gateway/v1/erasures", Erase)
            .WithTags("Calls")
            .WithName("ErasePhoneNumber")
            .WithSummary("Erase every call of a phone number")
            .WithDescription("`{\"phone\": \"+905321234567\"}` (E.164): deletes, in one transaction, every call of the account with that " +
                             "number as `from` or `to`, each as DeleteCall does, and clears the deleted bytes from the database's files " +
                             "(SQLite). The answer counts them; the number itself is logged nowhere.")
            .Accepts<ErasureBody>("application/json")
            .RequireScope(KeyScopes.Write);
    }

    internal static async Task<Results<JsonOk<DataResponse<CallDeletion>>, NotFound<ErrorResponse>>> DeleteCall(
        string id, ApiCaller caller, HttpContext context, ICallRemoval removal, RemovalAudit audit, CancellationToken cancellationToken)
    {
        // Unknown, malformed, already deleted and other accounts' ids all answer the same way.
        if (!CallIds.TryParse(id, out var callNum) || !await removal.DeleteAsync(caller.AccountId, callNum, cancellationToken))
        {
            return TypedResults.NotFound(ApiErrors.CallNotFound(context));
        }
        audit.Deleted(caller.AccountId, callNum, caller.KeyId);
        return new JsonOk<DataResponse<CallDeletion>>(
            new DataResponse<CallDeletion>(new CallDeletion(CallIds.Format(callNum), Deleted: true)), GatewayJsonContext.Default.DataResponseCallDeletion);
    }

    internal static async Task<Results<JsonOk<DataResponse<ErasureResult>>, BadRequest<ErrorResponse>, JsonHttpResult<ErrorResponse>>> Erase(
        ApiCaller caller, HttpContext context, ICallRemoval removal, RemovalAudit audit, CancellationToken cancellationToken)
    {
        var (body, refusal) = await RequestBodies.ReadJsonAsync(context.Request, GatewayJsonContext.Default.ErasureBody, cancellationToken);
        if (body is null)
        {
            return refusal!.ToResult(context);
        }
        if (!CallValidation.IsE164(body.Phone))
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "phone", "phone must be an E.164 number such as +905321234567"));
        }
        var erased = await removal.EraseAsync(caller.AccountId, body.Phone!, cancellationToken);
        audit.Erased(caller.AccountId, erased, caller.KeyId);
        return new JsonOk<DataResponse<ErasureResult>>(new DataResponse<ErasureResult>(new ErasureResult(erased)), GatewayJsonContext.Default.DataResponseErasureResult);
    }
}
