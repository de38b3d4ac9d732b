using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Salpre.Client.Http;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>
/// The account's webhook endpoints: where events are sent, signed (Standard Webhooks), retried for a day; their
/// secrets, deliveries and attempts, and sending again what failed. Changes need a key with the <c>write</c> scope.
/// </summary>
public sealed class WebhooksClient
{
    private const string Path = "api/gateway/v1/webhooks";
    private readonly SalpreTransport _transport;

    internal WebhooksClient(SalpreTransport transport) => _transport = transport;

    /// <summary>
    /// A new endpoint, with its <see cref="Webhook.Secret"/>: shown only in this answer, so keep it. Not retried
    /// after a timeout or a 5xx (a second endpoint could be made); only when it surely did nothing.
    /// </summary>
    public async Task<Webhook> CreateAsync(WebhookCreateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new WebhookCreateBody(request.Url, request.EventTypes, request.Description, request.MaxInFlight);
        var uri = _transport.Resolve(Path);
        using var response = await _transport.SendUnrepeatableAsync(
            () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(body, WireJsonContext.Default.WebhookCreateBody) },
            cancellationToken).ConfigureAwait(false);
        return await ReadWebhookAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every endpoint of the account (without secrets).</summary>
    public async Task<IReadOnlyList<Webhook>> ListAsync(CancellationToken cancellationToken = default)
    {
        var uri = _transport.Resolve(Path);
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        var envelope = await SalpreTransport.ReadAsync(response, WireJsonContext.Default.DataEnvelopeListWebhook, cancellationToken).ConfigureAwait(false);
        return envelope.Data ?? [];
    }

    /// <summary>An endpoint (without its secret).</summary>
    public async Task<Webhook> GetAsync(string webhookId, CancellationToken cancellationToken = default)
    {
        var uri = EndpointUri(webhookId, "");
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        return await ReadWebhookAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes what <paramref name="request"/> gives (the URL, the types, the description, enabled or disabled); the rest stays.</summary>
    public async Task<Webhook> UpdateAsync(string webhookId, WebhookUpdateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var status = request.Enabled switch
        {
            true => "enabled",
            false => "disabled",
            null => null,
        };
        var body = new WebhookPatchBody(request.Url, request.EventTypes, request.Description, request.MaxInFlight, status);
        var uri = EndpointUri(webhookId, "");
        using var response = await _transport.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Patch, uri) { Content = JsonContent.Create(body, WireJsonContext.Default.WebhookPatchBody) },
            cancellationToken).ConfigureAwait(false);
        return await ReadWebhookAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes an endpoint: what was pending for it is never sent.</summary>
    public async Task DeleteAsync(string webhookId, CancellationToken cancellationToken = default)
    {
        var uri = EndpointUri(webhookId, "");
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, uri), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A new secret, in <see cref="Webhook.Secret"/> of the answer (shown only there). For 24 hours both secrets
    /// sign (<see cref="Webhook.PreviousSecretExpiresAt"/>), then only the new one. Not retried after a timeout or a
    /// 5xx: a second rotation would retire the secret your receiver still has.
    /// </summary>
    public async Task<Webhook> RotateSecretAsync(string webhookId, CancellationToken cancellationToken = default)
    {
        var uri = EndpointUri(webhookId, "/rotate-secret");
        using var response = await _transport.SendUnrepeatableAsync(() => new HttpRequestMessage(HttpMethod.Post, uri), cancellationToken).ConfigureAwait(false);
        return await ReadWebhookAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a <c>webhook.test</c> event to this endpoint alone (it is not in the feed); returns the event.</summary>
    public async Task<SalpreEvent> TestAsync(string webhookId, CancellationToken cancellationToken = default)
    {
        var uri = EndpointUri(webhookId, "/test");
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, uri), cancellationToken).ConfigureAwait(false);
        return await SalpreTransport.ReadAsync(
            response, WireJsonContext.Default.DataEnvelopeJsonElement, envelope => SalpreEvent.Of(envelope.Data), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One page of an endpoint's deliveries, newest first, each with every attempt.</summary>
    public async Task<CursorPage<WebhookDelivery>> ListDeliveriesAsync(
        string webhookId, WebhookDeliveryListOptions? options = null, CancellationToken cancellationToken = default)
    {
        var query = new StringBuilder();
        CallListQuery.Add(query, "per_page", options?.PerPage?.ToString(CultureInfo.InvariantCulture));
        CallListQuery.Add(query, "cursor", options?.Cursor);
        var uri = EndpointUri(webhookId, "/deliveries" + query);
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        var envelope = await SalpreTransport.ReadAsync(response, WireJsonContext.Default.CursorListEnvelopeWebhookDelivery, cancellationToken).ConfigureAwait(false);
        return envelope.ToPage(delivery => delivery);
    }

    /// <summary>Every delivery of an endpoint, newest first, page after page (the next fetched while the caller works).</summary>
    public IAsyncEnumerable<WebhookDelivery> ListAllDeliveriesAsync(
        string webhookId, WebhookDeliveryListOptions? options = null, CancellationToken cancellationToken = default) =>
        Pager.AllAsync(
            options ?? new WebhookDeliveryListOptions(),
            (request, token) => ListDeliveriesAsync(webhookId, request, token),
            page => page.Items,
            (request, page) => page.HasNext ? request with { Cursor = page.NextCursor ?? page.Items[^1].Id } : null,
            cancellationToken);

    /// <summary>Sends a delivery (a failed one, say) again now.</summary>
    public async Task RetryDeliveryAsync(string webhookId, string deliveryId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deliveryId);
        var uri = EndpointUri(webhookId, "/deliveries/" + Uri.EscapeDataString(deliveryId) + "/retry");
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, uri), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends again every delivery of the endpoint that failed, made since <paramref name="since"/> (to the second); returns how many.</summary>
    public async Task<long> RecoverAsync(string webhookId, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        // Whole seconds, rounded down: what failed within the given second is sent too.
        var body = new RecoverBody(since.UtcDateTime.ToString(UtcSecondsConverter.Format, CultureInfo.InvariantCulture));
        var uri = EndpointUri(webhookId, "/recover");
        using var response = await _transport.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(body, WireJsonContext.Default.RecoverBody) },
            cancellationToken).ConfigureAwait(false);
        var envelope = await SalpreTransport.ReadAsync(response, WireJsonContext.Default.DataEnvelopeRecoverData, cancellationToken).ConfigureAwait(false);
        return envelope.Data?.Recovered ?? throw CallsClient.MissingData(response);
    }

    private Uri EndpointUri(string webhookId, string rest)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(webhookId);
        return _transport.Resolve(Path + "/" + Uri.EscapeDataString(webhookId) + rest);
    }

    private static async Task<Webhook> ReadWebhookAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var envelope = await SalpreTransport.ReadAsync(response, WireJsonContext.Default.DataEnvelopeWebhook, cancellationToken).ConfigureAwait(false);
        return envelope.Data ?? throw CallsClient.MissingData(response);
    }
}
