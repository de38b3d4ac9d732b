using Microsoft.Extensions.Options;
using Salpre.Gateway.Devices;
using Salpre.Storage.Devices;

namespace Salpre.Gateway.Events;

/// <summary>
/// With <see cref="EventsOptions.DeviceEvents"/> on, makes the <c>device.disconnected</c> event of each box whose
/// heartbeats stopped for <see cref="DeviceOptions.ConnectedWindow"/> (heartbeats make <c>device.connected</c>).
/// </summary>
public sealed partial class DeviceEventSweeper(
    IDeviceStore devices, TimeProvider time, IOptions<EventsOptions> events, IOptions<DeviceOptions> window, ILogger<DeviceEventSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!events.Value.DeviceEvents)
        {
            return;
        }
        using var timer = new PeriodicTimer(events.Value.DeviceSweepInterval, time);
        try
        {
            do
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogFailed(logger, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Tells every box that stopped; how many.</summary>
    public Task<int> SweepAsync(CancellationToken cancellationToken) =>
        devices.TellDisconnectedAsync((time.GetUtcNow() - window.Value.ConnectedWindow).ToUnixTimeSeconds(), cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for disconnected boxes.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
