using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Salpre.Gateway.Keys;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Demo;

/// <summary>
/// <c>--demo</c>: a "Demo" account with a few hundred realistic calls over the last 30 days (made once), a fresh key
/// each run, and a curl line that works as pasted. Without the flag nothing is invented and no secret is printed.
/// </summary>
public static class DemoData
{
    public const string Flag = "--demo";
    public const string AccountName = "Demo";
    public const int CallCount = 300;

    public static async Task SeedDemoAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var accounts = app.Services.GetRequiredService<IAccountStore>();
        var calls = app.Services.GetRequiredService<ICallStore>();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();

        var (secret, stored) = ApiKeyFormat.Issue("demo", KeyScopes.Read | KeyScopes.Write);
        var account = await accounts.FindAccountByNameAsync(AccountName, cancellationToken);
        if (account is null)
        {
            (account, _) = await accounts.CreateAccountAsync(AccountName, stored, cancellationToken);
            var first = await calls.ReserveCallNumbersAsync(CallCount, 0, cancellationToken);
            await calls.ImportAsync(account.Id, GenerateAsync(first, now), cancellationToken);
        }
        else
        {
            await accounts.CreateKeyAsync(account.Id, stored, cancellationToken);
        }

        var accountId = account.Id;
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                          ?? Hosting.GatewayHosting.DefaultUrl;
            Console.WriteLine();
            Console.WriteLine($"Salpre Gateway demo: account {accountId} \"{AccountName}\" with {CallCount} calls over the last 30 days.");
            Console.WriteLine($"Demo key (read,write; shown only now): {secret}");
            Console.WriteLine("Try it:");
            Console.WriteLine($"curl --location --request GET '{address}/api/gateway/v1/call/list?per_page=10' --header 'account-secret-key: {secret}'");
            Console.WriteLine($"API reference: {address}/docs");
            Console.WriteLine();
        });
    }

    /// <summary>Deterministic for a given "now": the same seed always tells the same story.</summary>
    public static async IAsyncEnumerable<CallDetailsRecord> GenerateAsync(long firstCallNum, DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var random = new Random(20251009);
        string[] boxes = ["salprebox:SALPRE_123456", "salprebox:SALPRE-BOX-42A8F9"];
        long[] agents = [3, 5, 7, 12];
        var end = now.ToUnixTimeSeconds();
        var start = end - 30 * 86_400;

        // Start times spread over 30 days, mostly in working hours, in time order so numbers grow with time.
        var starts = Enumerable.Range(0, CallCount).Select(_ => WorkingHoursTime(random, start, end)).Order().ToArray();
        for (var i = 0; i < CallCount; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var startedAt = starts[i];
            var agent = agents[random.Next(agents.Length)];
            var direction = random.NextDouble() < 0.8 ? CallDirection.Outbound : CallDirection.Inbound;
            var recent = end - startedAt < 180;
            var status = recent ? RecentStatus(random) : FinalStatus(random);
            var (endedAt, duration) = Ending(random, status, startedAt);
            var customer = DemoScripts.Customer(random);
            var completed = status == CallStatus.Completed;
            var call = new CallRecord(
                firstCallNum + i,
                status,
                boxes[random.Next(boxes.Length)],
                $"+905{random.Next(30, 60)}{random.Next(1_000_000, 9_999_999)}",
                agent,
                direction,
                startedAt,
                endedAt,
                duration);
            yield return new CallDetailsRecord(
                call,
                completed ? $"https://recordings.example.com/demo/c{firstCallNum + i}.mp3" : null,
                completed ? DemoScripts.Transcript(agent, customer, direction) : null,
                DemoScripts.Variables(agent, customer, random));
            await Task.Yield();
        }
    }

    private static long WorkingHoursTime(Random random, long start, long end)
    {
        var day = start + random.NextInt64((end - start) / 86_400 + 1) * 86_400;
        var midnight = day - day % 86_400;
        var seconds = midnight + 6 * 3600 + random.Next(12 * 3600); // 09:00-21:00 Istanbul time
        return Math.Clamp(seconds, start, end - 5);
    }

    private static CallStatus RecentStatus(Random random) =>
        (CallStatus)random.Next((int)CallStatus.Initiated, (int)CallStatus.InProgress + 1);

    private static CallStatus FinalStatus(Random random) => random.NextDouble() switch
    {
        < 0.64 => CallStatus.Completed,
        < 0.78 => CallStatus.NoAnswer,
        < 0.87 => CallStatus.Busy,
        < 0.95 => CallStatus.Failed,
        _ => CallStatus.Canceled,
    };

    private static (long? EndedAt, int? Duration) Ending(Random random, CallStatus status, long startedAt)
    {
        var ring = random.Next(4, 20);
        return status switch
        {
            CallStatus.Completed => Talk(random.Next(25, 540)),
            CallStatus.NoAnswer => (startedAt + 30, 0),
            CallStatus.Busy => (startedAt + random.Next(2, 6), 0),
            CallStatus.Failed => (startedAt + random.Next(1, 10), 0),
            CallStatus.Canceled => (startedAt + random.Next(1, ring), 0),
            _ => (null, null),
        };

        (long?, int?) Talk(int talk) => (startedAt + ring + talk, talk);
    }
}
