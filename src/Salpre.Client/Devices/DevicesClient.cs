using Salpre.Client.Http;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>The account's Salpre Boxes.</summary>
public sealed class DevicesClient
{
    private readonly SalpreTransport _transport;

    internal DevicesClient(SalpreTransport transport) => _transport = transport;

    /// <summary>
    /// Every box of the account. An account without boxes is an error on the API (404, as Salpre's List Devices
    /// page shows), so it throws <see cref="SalpreApiException"/> like any other failure.
    /// </summary>
    public async Task<IReadOnlyList<Device>> ListAsync(CancellationToken cancellationToken = default)
    {
        var uri = _transport.Resolve("api/gateway/v1/salprebox/device-list");
        using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        var envelope = await SalpreTransport.ReadAsync(response, WireJsonContext.Default.DataEnvelopeListDevice, cancellationToken).ConfigureAwait(false);
        return envelope.Data ?? [];
    }
}
