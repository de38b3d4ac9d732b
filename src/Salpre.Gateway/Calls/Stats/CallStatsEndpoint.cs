using Microsoft.AspNetCore.Http.HttpResults;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls.Stats;

/// <summary>GET /call/stats: what a dashboard shows, in one request (totals and groups by time, agent, status, box...).</summary>
public static class CallStatsEndpoint
{
    public static RouteHandlerBuilder MapCallStats(this RouteGroupBuilder group) =>
        group.MapGet("/stats", GetStats)
            .WithName("GetCallStats")
            .WithSummary("Count calls: totals and groups by time, agent, status, direction or box")
            .WithDescription("Takes every filter of the list, with the same rules and errors; without `started_after` and " +
                             "`started_before` it covers the zone's last 30 days, today included. `group_by` is one or two of " +
                             "`hour`, `day`, `week` (ISO, Monday first), `month`, `hour_of_day` (0-23), `weekday` (1-7, Monday 1), " +
                             "`agent_id`, `status`, `direction`, `from`. Time groups follow `tz` (days of 23 or 25 hours included), " +
                             "cover the whole range with zeros where nothing happened, in time order; other groups are ordered by " +
                             "calls descending, then by value. Every group and the totals carry: `calls`, `by_status` (all eight), " +
                             "`answered` (reached in-progress), `answer_rate` (answered among the calls that ended, null when none " +
                             "ended), `talk_sec_total` and `talk_sec_avg` (over the answered calls that ended, null when none). " +
                             "At most 50,000 groups.")
            .WithCallStatsParameters()
            .RequireScope(KeyScopes.Read);

    /// <summary>
    /// The statistics of a parsed request, as the endpoint answers them (null beyond the groups' limit); every number
    /// of the dashboard's overview comes from here.
    /// </summary>
    public static async Task<CallStats?> CountAsync(long accountId, CallStatsRequest request, ICallStore calls, CancellationToken cancellationToken)
    {
        var query = request.ToStoreQuery();
        return StatsGroups.Build(request, query, await calls.GetStatsAsync(accountId, query, cancellationToken));
    }

    // Answers this large (a chart of two years by day) are not copied out of the rendering buffer to be kept: each
    // copy would land on the large object heap (85,000 bytes and over) and bring on full collections under load.
    private const int MaxKeptBytes = 64 * 1024;

    internal static async Task<Results<JsonBytesOk<CallStatsResponse>, JsonOk<CallStatsResponse>, BadRequest<ErrorResponse>>> GetStats(
        ApiCaller caller,
        HttpContext context,
        ICallStore calls,
        ListPageCache pages,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!CallStatsRequest.TryParse(context.Request.Query, context.Request.QueryString.Value, time.GetUtcNow(), out var request, out var invalid))
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, invalid));
        }

        // Kept like list pages, while the account's calls version stands; the key holds the resolved range, which
        // moves with the day when the request names none.
        var cacheKey = $"stats|{request.From}|{request.Until}|{context.Request.QueryString.Value}";
        long version = 0;
        if (pages.Enabled)
        {
            version = await calls.GetVersionAsync(caller.AccountId, cancellationToken);
            // As for the list, Cache-Control: no-cache counts afresh (and keeps the answer for the next request).
            var wantsFresh = context.Request.Headers.CacheControl.ToString().Contains("no-cache", StringComparison.OrdinalIgnoreCase);
            if (!wantsFresh && pages.Find(caller.AccountId, cacheKey, version) is { } kept)
            {
                return new JsonBytesOk<CallStatsResponse>(kept, replayed: false);
            }
        }

        var stats = await CountAsync(caller.AccountId, request, calls, cancellationToken);
        if (stats is null)
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "group_by"));
        }
        var meta = new CallStatsMeta(
            DateTimeOffset.FromUnixTimeSeconds(request.From),
            DateTimeOffset.FromUnixTimeSeconds(request.Until),
            request.Zone.Id,
            [.. request.GroupBy.Select(StatsDimensions.Name)],
            request.IgnoredParameters);
        var answer = new CallStatsResponse(stats, meta);
        var rendered = GatewayJsonBytes.RenderInPlace(answer, GatewayJsonContext.Default.CallStatsResponse);
        if (rendered.Length > MaxKeptBytes)
        {
            return new JsonOk<CallStatsResponse>(answer, GatewayJsonContext.Default.CallStatsResponse);
        }
        var body = rendered.ToArray();
        pages.Keep(caller.AccountId, cacheKey, version, body);
        return new JsonBytesOk<CallStatsResponse>(body, replayed: false);
    }
}
