using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Tests.Calls.Removal;

/// <summary>Retention on the gateway's clock (a fake one here): each interval, old details are cleared and older calls deleted.</summary>
public sealed class RetentionTests(RetentionTests.Gateway gateway) : IClassFixture<RetentionTests.Gateway>
{
    public sealed class Gateway : MetricsGateway
    {
        public Gateway()
        {
            With("Retention:CallDetailsDays", "30");
            With("Retention:CallsDays", "365");
            With("Retention:Interval", "01:00:00");
            With("Retention:BatchSize", "7");
            WithServices(services => services.AddSingleton<TimeProvider>(Clock));
        }

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    }

    private const long Day = 86_400;

    [Fact]
    public async Task Each_interval_clears_old_details_deletes_older_calls_and_leaves_the_rest()
    {
        // The run at start must be over first: one that read before the calls came and cleared after would clear the
        // details of calls its own deletion had not seen yet.
        var started = await gateway.ScrapeUntilAsync(s => s.Sum("salpre_gateway_retention_runs_total", ("result", "done")) >= 2);
        Assert.Equal(2, started.Sum("salpre_gateway_retention_runs_total", ("result", "done")));
        var account = await gateway.CreateAccountAsync();
        var api = gateway.Client(account.Key);
        var now = gateway.Clock.GetUtcNow().ToUnixTimeSeconds();
        CallDetailsRecord Call(long ago, long talked = 60) =>
            new(new CallRecord(0, CallStatus.Completed, "salprebox:A", "+905321234567", 2, CallDirection.Outbound, now - ago, now - ago + talked, (int)talked),
                "https://records.example/x.mp3", "a transcript", """{"k":"v"}""");
        var seeded = await gateway.SeedAsync(account.Id, [
            .. Enumerable.Range(0, 20).Select(i => Call(400 * Day + i)),   // past a year: deleted
            .. Enumerable.Range(0, 20).Select(i => Call(40 * Day + i)),    // past 30 days: details cleared
            Call(30 * Day + 600, talked: 10_800),                         // started past 30 days, ended within: kept whole for now
            .. Enumerable.Range(0, 5).Select(i => Call(5 * Day + i)),      // young: untouched
        ]);
        var before = await gateway.ScrapeAsync();

        gateway.Clock.Advance(TimeSpan.FromHours(1));
        var listed = await WaitForAsync(async () =>
        {
            var page = await api.GetWireAsync("/api/gateway/v1/call/list?per_page=100&include_total=true");
            return page.Meta["total"]!.GetValue<long>() == 26 ? page : null;
        });

        Assert.Equal(26, listed.CallIds.Count);
        async Task<string?> TranscriptAsync(CallDetailsRecord call) =>
            (await api.GetWireAsync($"/api/gateway/v1/call/c{call.Call.CallNum}")).Json["data"]!["transcript"]?.GetValue<string>();
        await WaitForAsync(async () => await TranscriptAsync(seeded[39]) is null ? "" : null);
        foreach (var cleared in seeded.Skip(20).Take(20))
        {
            var details = (await api.GetWireAsync($"/api/gateway/v1/call/c{cleared.Call.CallNum}")).Json["data"]!;
            Assert.Null(details["transcript"]);
            Assert.Null(details["audio_record_url"]);
            Assert.Equal("{}", details["variables"]!.ToJsonString());
            Assert.Equal("completed", details["status"]!.GetValue<string>());
        }
        Assert.Equal("a transcript", await TranscriptAsync(seeded[40]));
        Assert.Equal("a transcript", await TranscriptAsync(seeded[45]));
        Assert.Equal(404, (await api.GetWireAsync($"/api/gateway/v1/call/c{seeded[0].Call.CallNum}")).Status);
        Assert.Empty(await RollupDrift.FindAsync(gateway));

        // A day on, the call that ended inside the window has been out of it long enough too.
        gateway.Clock.Advance(TimeSpan.FromDays(1));
        await WaitForAsync(async () => await TranscriptAsync(seeded[40]) is null ? "" : null);
        Assert.Equal("a transcript", await TranscriptAsync(seeded[41]));

        var after = await gateway.ScrapeUntilAsync(s => s.Since(before, "salpre_gateway_call_details_cleared_total") >= 21);
        Assert.Equal(20, after.Since(before, "salpre_gateway_calls_removed_total", ("reason", "retention")));
        Assert.Equal(21, after.Since(before, "salpre_gateway_call_details_cleared_total"));
        Assert.True(after.Since(before, "salpre_gateway_retention_runs_total", ("result", "done")) >= 4);
        Assert.Contains(gateway.Logs.Lines, line => line.Contains($"Retention deleted 20 calls of account {account.Id} (older than 365 days).", StringComparison.Ordinal));
        Assert.Contains(gateway.Logs.Lines, line => line.Contains($"Retention cleared the details of 20 calls of account {account.Id} (older than 30 days).", StringComparison.Ordinal));
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline, "retention did not run in 20 s after the clock moved");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
