using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;

namespace Salpre.Dashboard.Tests.Infrastructure;

/// <summary>
/// The real gateway (the gateway suite's factory: Kestrel on 127.0.0.1, its own SQLite file) with an account whose
/// calls span the last ten days, a call at 23:30 UTC, and two boxes: one connected with its battery and firmware,
/// one never seen. Keys: read+write, read only, and ingest (for the boxes' reports).
/// </summary>
public sealed class DashboardGateway : GatewayFactory
{
    public const string LateCallTo = "+905550002330";
    public const string ConnectedSerial = "SALPRE_DASH_1";
    public const string SilentSerial = "SALPRE_DASH_2";

    public TestAccount Account { get; private set; } = null!;
    public string ReadKey { get; private set; } = "";
    public string IngestKey { get; private set; } = "";
    public long ReadKeyId { get; private set; }

    /// <summary>The 23:30Z call: its start, and the day after it in Istanbul (UTC+3).</summary>
    public DateTimeOffset LateCallStart { get; private set; }

    public override async ValueTask InitializeAsync()
    {
        With("MakeCall:CallsPerSecond", "1000").With("MakeCall:Burst", "1000");
        await base.InitializeAsync();
        Account = await CreateAccountAsync(KeyScopes.Read | KeyScopes.Write, "Dashboard test");
        (ReadKeyId, ReadKey) = await CreateKeyAsync(Account.Id, KeyScopes.Read);
        (_, IngestKey) = await CreateKeyAsync(Account.Id, KeyScopes.Ingest | KeyScopes.Read);
        await Devices.AddAsync(Account.Id, ConnectedSerial, "Front desk", CancellationToken.None);
        await Devices.RecordHeartbeatAsync(Account.Id, ConnectedSerial, 87, "2.3.1", CancellationToken.None);
        await Devices.AddAsync(Account.Id, SilentSerial, "Back office", CancellationToken.None);

        var now = DateTimeOffset.UtcNow;
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        LateCallStart = day.AddDays(-3).AddHours(23).AddMinutes(30);
        await SeedAsync(Account.Id, [.. History(now), Call(LateCallStart, CallStatus.Completed, 5, LateCallTo, 95)]);
    }

    /// <summary>70 calls over ten days: statuses, agents and directions mixed, completed ones with a recording and a transcript.</summary>
    private static IEnumerable<CallDetailsRecord> History(DateTimeOffset now)
    {
        var random = new Random(13);
        CallStatus[] statuses = [CallStatus.Completed, CallStatus.Completed, CallStatus.Completed, CallStatus.NoAnswer, CallStatus.Busy, CallStatus.Failed, CallStatus.Canceled];
        for (var i = 0; i < 70; i++)
        {
            var start = now.AddMinutes(-random.Next(30, 10 * 24 * 60));
            var status = statuses[random.Next(statuses.Length)];
            yield return Call(start, status, new long[] { 3, 5, 7 }[random.Next(3)], $"+90532{random.Next(1_000_000, 9_999_999)}",
                status == CallStatus.Completed ? random.Next(20, 400) : 0);
        }
    }

    private static CallDetailsRecord Call(DateTimeOffset start, CallStatus status, long agent, string to, int duration)
    {
        var started = start.ToUnixTimeSeconds();
        var completed = status == CallStatus.Completed;
        var call = new CallRecord(0, status, "salprebox:" + ConnectedSerial, to, agent, CallDirection.Outbound, started,
            started + 5 + duration, duration);
        return new CallDetailsRecord(call,
            completed ? $"https://recordings.example.com/dashboard/{started}.mp3" : null,
            completed ? "Agent: Hello, this is Salpre calling about your order.\nCustomer: Yes, thank you." : null,
            completed ? """{"order_id":"A-1001","confirmed":true}""" : null);
    }
}
