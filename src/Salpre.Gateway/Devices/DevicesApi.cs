using Microsoft.AspNetCore.Http.HttpResults;
using Salpre.Gateway.Hosting;
using Salpre.Gateway.Keys;
using Salpre.Storage.Accounts;
using Salpre.Storage.Devices;

namespace Salpre.Gateway.Devices;

public static class DevicesApi
{
    public const string SerialPrefix = "salprebox:";
    public const string NoDevicesMessage = "No connected devices found for this account";
    public const int MaxSerialLength = 64;
    public const int MaxFirmwareLength = 64;

    /// <summary>A box's serial number: 1 to 64 characters, none of them a control character.</summary>
    public static bool IsSerial(ReadOnlySpan<char> serial) => serial.Length is > 0 and <= MaxSerialLength && TextRules.IsName(serial);

    public static WebApplicationBuilder AddGatewayDevices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeviceOptions>().BindConfiguration(DeviceOptions.Section);
        builder.Services.AddSingleton<DeviceConnectivity>();
        return builder;
    }

    public static RouteGroupBuilder MapDevices(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/gateway/v1/salprebox").WithTags("Devices");

        group.MapGet("/device-list", ListDevices)
            .WithName("ListDevices")
            .WithSummary("List the account's Salpre Boxes")
            .WithDescription($"Every box of the account, connected or not. An account with no box answers 404 `{NoDevicesMessage}`.")
            .RequireScope(KeyScopes.Read);

        group.MapPost("/heartbeat", Heartbeat)
            .WithName("DeviceHeartbeat")
            .WithSummary("Report that a Salpre Box is alive")
            .WithDescription("Sent by a box (with an `ingest` key) about every 30 s; the box counts as connected while its last heartbeat is recent.")
            .Accepts<HeartbeatBody>("application/json")
            .RequireScope(KeyScopes.Ingest);

        return group;
    }

    internal static async Task<Results<JsonOk<DataResponse<IReadOnlyList<DeviceItem>>>, NotFound<ErrorResponse>>> ListDevices(
        ApiCaller caller, HttpContext context, IDeviceStore devices, DeviceConnectivity connectivity, CancellationToken cancellationToken)
    {
        var boxes = await devices.ListAsync(caller.AccountId, cancellationToken);
        if (boxes.Count == 0)
        {
            return TypedResults.NotFound(ApiErrors.NotFound(context, NoDevicesMessage));
        }
        IReadOnlyList<DeviceItem> items = [.. boxes.Select(box => DeviceItem.Of(box, connectivity.IsConnected(box)))];
        return new JsonOk<DataResponse<IReadOnlyList<DeviceItem>>>(new(items), GatewayJsonContext.Default.DataResponseIReadOnlyListDeviceItem);
    }

    internal static async Task<Results<JsonOk<DataResponse<DeviceItem>>, BadRequest<ErrorResponse>, NotFound<ErrorResponse>, JsonHttpResult<ErrorResponse>>> Heartbeat(
        ApiCaller caller, HttpContext context, IDeviceStore devices, DeviceConnectivity connectivity, CancellationToken cancellationToken)
    {
        var (body, refusal) = await RequestBodies.ReadJsonAsync(context.Request, GatewayJsonContext.Default.HeartbeatBody, cancellationToken);
        if (body is null)
        {
            return refusal!.ToResult(context);
        }
        if (body.SerialNo is not { } serial || !IsSerial(serial))
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "serial_no"));
        }
        if (body.BatteryLevel is < 0 or > 100)
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "battery_level"));
        }
        if (body.FirmwareVersion is { } firmware && (firmware.Length is 0 or > MaxFirmwareLength || !TextRules.IsName(firmware)))
        {
            return TypedResults.BadRequest(ApiErrors.InvalidParameter(context, "firmware_version"));
        }
        // A box may name itself as the make-call form does ("salprebox:SERIAL") or by its bare serial.
        if (serial.StartsWith(SerialPrefix, StringComparison.Ordinal))
        {
            serial = serial[SerialPrefix.Length..];
        }
        var device = await devices.RecordHeartbeatAsync(caller.AccountId, serial, body.BatteryLevel, body.FirmwareVersion, cancellationToken);
        return device is null
            ? TypedResults.NotFound(ApiErrors.NotFound(context, "Device not found. Please check the serial number."))
            : new JsonOk<DataResponse<DeviceItem>>(new(DeviceItem.Of(device, connectivity.IsConnected(device))), GatewayJsonContext.Default.DataResponseDeviceItem);
    }
}

/// <summary>A box's heartbeat: its serial, and optionally its battery level (0-100) and firmware version.</summary>
public sealed record HeartbeatBody(string? SerialNo, int? BatteryLevel, string? FirmwareVersion);
