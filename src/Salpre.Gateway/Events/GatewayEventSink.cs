using System.Text;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Webhooks;
using Salpre.Storage.Calls;
using Salpre.Storage.Webhooks;

namespace Salpre.Gateway.Events;

/// <summary>Renders call events as the API shows calls, and wakes this node's delivery workers when a write commits.</summary>
public sealed class GatewayEventSink(TimeProvider time, DeliverySignal signal) : IEventSink
{
    public TimeProvider Time => time;

    public string CallData(CallRecord call, CallStatus? previousStatus, int sequence) =>
        Encoding.UTF8.GetString(GatewayJsonBytes.RenderInPlace(CallEventData.Of(call, previousStatus, sequence), GatewayJsonContext.Default.CallEventData).Span);

    public void Committed() => signal.Set();
}
