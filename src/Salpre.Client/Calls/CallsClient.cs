using System.Net.Http.Json;
using Salpre.Client.Http;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>The calls of the account: lists, statistics, details, logs, new calls, and deleting them.</summary>
public sealed class CallsClient
{
    private const string Path = "api/gateway/v1/call/";
    private const string ErasuresPath = "api/gateway/v1/erasures";
    private readonly SalpreTransport _transport;
    private readonly CallExporter _exporter;

    internal CallsClient(SalpreTransport transport)
    {
        _transport = transport;
        _exporter = new CallExporter(transport, this);
    }

    /// <summary>One page of the call list.</summary>
    public async Task<CallPage> ListAsync(CallListOptions? options = null, CancellationToken cancellationToken = default)
    {
        var uri = _transport.Resolve(Path + "list" + CallListQuery.Build(options ?? new CallListOptions()));
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        var envelope = await SalpreTransport.ReadAsync(response, WireJsonContext.Default.CallListEnvelope, cancellationToken).ConfigureAwait(false);
        var items = envelope.Data ?? [];
        var meta = envelope.Meta ?? new CallListMeta(items.Count, 1, false, null, null, null);
        return new CallPage(items, meta.Page, meta.PerPage, meta.HasNext, meta.NextCursor, meta.Total, meta.IgnoredParameters ?? []);
    }

    /// <summary>
    /// Every call that matches, page after page through the list's cursor (or by page number from a server that
    /// gives no cursor). The next page is fetched while the caller works through the current one.
    /// </summary>
    public IAsyncEnumerable<Call> ListAllAsync(CallListOptions? options = null, CancellationToken cancellationToken = default) =>
        Pager.AllAsync(
            options ?? new CallListOptions(),
            ListAsync,
            page => page.Items,
            (request, page) => !page.HasNext ? null
                : page.NextCursor is { } cursor ? request with { Cursor = cursor, Page = null }
                : request with { Page = page.Page + 1 },
            cancellationToken);

    /// <summary>
    /// Every call that matches, in one streamed answer of the server's export (as <see cref="CallDetails"/> with
    /// <see cref="CallExportOptions.IncludeDetails"/>). A connection that drops is opened again right after the last
    /// call received, so no call is lost or repeated; against a server without the export, the list is walked instead
    /// (and details fetched call by call).
    /// </summary>
    public IAsyncEnumerable<Call> ExportAsync(CallExportOptions? options = null, CancellationToken cancellationToken = default) =>
        _exporter.ExportAsync(options ?? new CallExportOptions(), cancellationToken);

    /// <summary>
    /// <see cref="ExportAsync"/> written into <paramref name="destination"/> as NDJSON, one call a line in the API's
    /// own form (what the gateway's <c>import</c> reads), copied as the server sends it without parsing each call;
    /// returns how many calls. <paramref name="progress"/> hears the count as it grows.
    /// </summary>
    public Task<long> ExportToAsync(Stream destination, CallExportOptions? options = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return _exporter.ExportToAsync(destination, options ?? new CallExportOptions(), progress, cancellationToken);
    }

    /// <summary>
    /// Counts the calls that match the list's filters: totals and, with <see cref="CallStatsOptions.GroupBy"/>, groups
    /// by time (in <see cref="CallStatsOptions.TimeZone"/>), agent, status, direction or box. Without bounds the
    /// server counts the zone's last 30 days, today included; <see cref="CallStats.StartedAfter"/> and
    /// <see cref="CallStats.StartedBefore"/> say which range it counted.
    /// </summary>
    public async Task<CallStats> GetStatsAsync(CallStatsOptions? options = null, CancellationToken cancellationToken = default)
    {
        var uri = _transport.Resolve(Path + "stats" + CallListQuery.Build(options ?? new CallStatsOptions()));
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        var envelope = await SalpreTransport.ReadAsync(response, WireJsonContext.Default.CallStatsEnvelope, cancellationToken).ConfigureAwait(false);
        if (envelope is not { Data.Totals: { } totals, Meta: { StartedAfter: { } after, StartedBefore: { } before } meta })
        {
            throw MissingData(response);
        }
        var groupBy = new List<CallStatsDimension>();
        foreach (var name in meta.GroupBy ?? [])
        {
            if (WireNames.TryParseDimension(name, out var dimension))
            {
                groupBy.Add(dimension);
            }
        }
        return new CallStats(totals, envelope.Data.Groups ?? [], after, before, meta.Tz ?? "UTC", groupBy, meta.IgnoredParameters ?? []);
    }

    /// <summary>A call's details, by <c>call_id</c> (<c>c874</c>) or its number (<c>874</c>).</summary>
    public async Task<CallDetails> GetAsync(string callId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callId);
        var uri = _transport.Resolve(Path + Uri.EscapeDataString(callId));
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        var envelope = await SalpreTransport.ReadAsync(response, WireJsonContext.Default.DataEnvelopeCallDetails, cancellationToken).ConfigureAwait(false);
        return envelope.Data ?? throw MissingData(response);
    }

    /// <summary>A call's status reports, oldest first.</summary>
    public async Task<IReadOnlyList<CallLogEntry>> GetLogsAsync(string callId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callId);
        var uri = _transport.Resolve(Path + Uri.EscapeDataString(callId) + "/logs");
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        var envelope = await SalpreTransport.ReadAsync(response, WireJsonContext.Default.DataEnvelopeListCallLogEntry, cancellationToken).ConfigureAwait(false);
        return envelope.Data ?? [];
    }

    /// <summary>
    /// Has a Salpre Box of the account place a call. The request carries an idempotency key (yours, or one made
    /// here), so retries after a timeout or a 429/5xx answer never place a second call.
    /// </summary>
    public async Task<MadeCall> MakeAsync(MakeCallRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = request.IdempotencyKey ?? $"salpre-dotnet-{Guid.NewGuid():N}";
        var body = new MakeCallBody(request.From, request.To, request.AgentId);
        var uri = _transport.Resolve(Path + "make-call");
        using var response = await _transport.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, uri)
            {
                Headers = { { "Idempotency-Key", key } },
                Content = JsonContent.Create(body, WireJsonContext.Default.MakeCallBody),
            },
            cancellationToken).ConfigureAwait(false);
        var envelope = await SalpreTransport.ReadAsync(response, WireJsonContext.Default.DataEnvelopeMadeCall, cancellationToken).ConfigureAwait(false);
        var call = envelope.Data ?? throw MissingData(response);
        return call with { Replayed = SalpreTransport.IsReplay(response) };
    }

    /// <summary>
    /// Deletes a call, by <c>call_id</c> (<c>c874</c>) or its number (<c>874</c>), with its details and logs; a
    /// <c>call.deleted</c> event (<see cref="SalpreEvent.DeletedCallId"/>) tells the feed and webhooks. Needs the
    /// <c>write</c> scope. A call that is not there (unknown, already deleted, another account's) throws a
    /// <see cref="SalpreApiException"/> with 404. Retried as <see cref="WebhooksClient.DeleteAsync"/> is (network
    /// errors, timeouts, 429, 5xx): the call is gone either way, but a retry after a lost answer throws that 404 for
    /// the call its first attempt deleted.
    /// </summary>
    public async Task<CallDeletion> DeleteAsync(string callId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callId);
        var uri = _transport.Resolve(Path + Uri.EscapeDataString(callId));
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, uri), cancellationToken).ConfigureAwait(false);
        var envelope = await SalpreTransport.ReadAsync(response, WireJsonContext.Default.DataEnvelopeCallDeletion, cancellationToken).ConfigureAwait(false);
        return envelope.Data ?? throw MissingData(response);
    }

    /// <summary>
    /// Erases every call of the account with <paramref name="phone"/> (E.164, <c>+905321234567</c>) as its
    /// <c>from</c> or <c>to</c>, each as <see cref="DeleteAsync"/> deletes one, in one transaction; returns how many.
    /// Needs the <c>write</c> scope; a number that is not E.164 throws a <see cref="SalpreApiException"/> (400,
    /// <c>Param</c> <c>phone</c>). Retried as <see cref="DeleteAsync"/> is: a retry after a lost answer erases
    /// nothing more and counts 0.
    /// </summary>
    public async Task<long> EraseAsync(string phone, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(phone);
        var uri = _transport.Resolve(ErasuresPath);
        using var response = await _transport.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(new ErasureBody(phone), WireJsonContext.Default.ErasureBody) },
            cancellationToken).ConfigureAwait(false);
        var envelope = await SalpreTransport.ReadAsync(response, WireJsonContext.Default.DataEnvelopeErasureData, cancellationToken).ConfigureAwait(false);
        return envelope.Data?.CallsErased ?? throw MissingData(response);
    }

    internal static SalpreApiException MissingData(HttpResponseMessage response) =>
        new($"The server answered {(int)response.StatusCode} without data.", response.StatusCode, SalpreApiException.InvalidResponseCode);
}
