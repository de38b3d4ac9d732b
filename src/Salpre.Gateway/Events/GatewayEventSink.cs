using System.Text;
using Microsoft.Extensions.Options;
using Salpre.Gateway.Calls;
using Salpre.Gateway.Devices;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Webhooks;
using Salpre.Storage.Calls;
using Salpre.Storage.Devices;
using Salpre.Storage.Webhooks;

namespace Salpre.Gateway.Events;

/// <summary>Renders events' data as the API shows calls and boxes, and wakes this node's delivery workers when a write commits.</summary>
public sealed class GatewayEventSink(TimeProvider time, DeliverySignal signal, IOptions<EventsOptions> options) : IEventSink
{
    public TimeProvider Time => time;

    public bool DeviceEvents => options.Value.DeviceEvents;

    public string CallData(CallRecord call, CallStatus? previousStatus, int sequence) =>
        Encoding.UTF8.GetString(GatewayJsonBytes.RenderInPlace(CallEventData.Of(call, previousStatus, sequence), GatewayJsonContext.Default.CallEventData).Span);

    public string DeletedCallData(long callNum) =>
        Encoding.UTF8.GetString(GatewayJsonBytes.RenderInPlace(new DeletedCallData(CallIds.Format(callNum)), GatewayJsonContext.Default.DeletedCallData).Span);

    public string DeviceData(DeviceRecord device, bool connected) =>
        Encoding.UTF8.GetString(GatewayJsonBytes.RenderInPlace(DeviceItem.Of(device, connected), GatewayJsonContext.Default.DeviceItem).Span);

    public void Committed() => signal.Set();
}
