using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;

namespace Salpre.Gateway.Tests.Devices;

/// <summary>Salpre Boxes: the device list in Salpre's shape, heartbeats, and the connected window on a test clock.</summary>
public sealed class DeviceApiTests(DeviceApiTests.Gateway gateway) : IClassFixture<DeviceApiTests.Gateway>
{
    private const string DeviceList = "/api/gateway/v1/salprebox/device-list";
    private const string Heartbeat = "/api/gateway/v1/salprebox/heartbeat";

    public sealed class Gateway : GatewayFactory
    {
        public Gateway() => WithServices(services => services.AddSingleton<TimeProvider>(Clock));

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task An_account_without_boxes_gets_salpres_404()
    {
        var account = await gateway.CreateAccountAsync();

        var response = await gateway.Client(account.Key).GetWireAsync(DeviceList);

        Assert.Equal(404, response.Status);
        Assert.StartsWith("""{"status":"error","message":"No connected devices found for this account","code":"not_found",""", response.Body);
    }

    [Fact]
    public async Task A_box_is_connected_while_its_last_heartbeat_is_within_the_window()
    {
        var account = await gateway.CreateAccountAsync();
        var (_, ingest) = await gateway.CreateKeyAsync(account.Id, KeyScopes.Ingest);
        var serial = await gateway.AddBoxAsync(account.Id, connected: false);
        var reader = gateway.Client(account.Key);

        var before = await reader.GetWireAsync(DeviceList);
        var beat = await gateway.Client(ingest).PostJsonAsync(Heartbeat, $$"""{"serial_no":"{{serial}}","battery_level":87,"firmware_version":"1.4.2"}""");
        var after = await reader.GetWireAsync(DeviceList);
        gateway.Clock.Advance(TimeSpan.FromSeconds(120));
        var atTheEdge = await reader.GetWireAsync(DeviceList);
        gateway.Clock.Advance(TimeSpan.FromSeconds(1));
        var later = await reader.GetWireAsync(DeviceList);

        Assert.Equal(["id", "serial_no", "device_name", "connected", "battery_level", "last_seen", "firmware_version"], WireResponse.FieldOrder(before.Data[0]!));
        Assert.False(before.Data[0]!["connected"]!.GetValue<bool>());
        Assert.Null(before.Data[0]!["last_seen"]);
        Assert.Equal(200, beat.Status);
        Assert.True(after.Data[0]!["connected"]!.GetValue<bool>());
        Assert.Equal(87, after.Data[0]!["battery_level"]!.GetValue<int>());
        Assert.Equal("1.4.2", after.Data[0]!["firmware_version"]!.GetValue<string>());
        Assert.Matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", after.Data[0]!["last_seen"]!.GetValue<string>());
        Assert.True(atTheEdge.Data[0]!["connected"]!.GetValue<bool>());
        Assert.False(later.Data[0]!["connected"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_heartbeat_for_another_accounts_box_is_refused_and_changes_nothing()
    {
        var owner = await gateway.CreateAccountAsync();
        var stranger = await gateway.CreateAccountAsync();
        var (_, strangerIngest) = await gateway.CreateKeyAsync(stranger.Id, KeyScopes.Ingest);
        var serial = await gateway.AddBoxAsync(owner.Id, connected: false);

        var response = await gateway.Client(strangerIngest).PostJsonAsync(Heartbeat, $$"""{"serial_no":"{{serial}}"}""");
        var list = await gateway.Client(owner.Key).GetWireAsync(DeviceList);

        Assert.Equal(404, response.Status);
        Assert.Equal("Device not found. Please check the serial number.", response.Json["message"]!.GetValue<string>());
        Assert.False(list.Data[0]!["connected"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("""{"battery_level":50}""", "serial_no")]
    [InlineData("""{"serial_no":""}""", "serial_no")]
    [InlineData("""{"serial_no":"X","battery_level":101}""", "battery_level")]
    [InlineData("""{"serial_no":"X","battery_level":-1}""", "battery_level")]
    [InlineData("""{"serial_no":"X","firmware_version":""}""", "firmware_version")]
    public async Task Refuses_an_invalid_heartbeat(string body, string field)
    {
        var account = await gateway.CreateAccountAsync(KeyScopes.Ingest);

        var response = await gateway.Client(account.Key).PostJsonAsync(Heartbeat, body);

        Assert.Equal(400, response.Status);
        Assert.Equal($"Invalid {field} value", response.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Heartbeats_need_the_ingest_scope_and_lists_the_read_scope()
    {
        var account = await gateway.CreateAccountAsync(KeyScopes.Read | KeyScopes.Write);
        var (_, ingest) = await gateway.CreateKeyAsync(account.Id, KeyScopes.Ingest);
        var serial = await gateway.AddBoxAsync(account.Id);

        var beatWithRead = await gateway.Client(account.Key).PostJsonAsync(Heartbeat, $$"""{"serial_no":"{{serial}}"}""");
        var listWithIngest = await gateway.Client(ingest).GetWireAsync(DeviceList);

        Assert.Equal(403, beatWithRead.Status);
        Assert.Equal(403, listWithIngest.Status);
    }
}
