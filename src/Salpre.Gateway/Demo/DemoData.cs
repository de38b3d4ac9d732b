using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Salpre.Gateway.Dashboard;
using Salpre.Gateway.Keys;
using Salpre.Storage.Accounts;
using Salpre.Storage.Calls;
using Salpre.Storage.Dashboard;
using Salpre.Storage.Devices;
using Salpre.Gateway.Simulation;

namespace Salpre.Gateway.Demo;

/// <summary>
/// <c>--demo</c>: a "Demo" account with two Salpre Boxes and a few hundred realistic calls over the last 30 days
/// (made once), a fresh key each run, curl lines that work as pasted, and simulated boxes that carry every new call
/// through its lifecycle (<c>Demo:SimulationSpeed</c>, default 1, runs time faster). Without the flag nothing is
/// invented and no secret is printed.
/// </summary>
public static class DemoData
{
    public const string Flag = "--demo";
    public const string AccountName = "Demo";
    public const int CallCount = 300;

    private static readonly (string Serial, string Name)[] s_boxes = [("SALPRE_123456", "Front desk"), ("SALPRE-BOX-42A8F9", "Call center")];

    public static async Task SeedDemoAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var accounts = app.Services.GetRequiredService<IAccountStore>();
        var calls = app.Services.GetRequiredService<ICallStore>();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();

        var (secret, stored) = ApiKeyFormat.Issue("demo", KeyScopes.Read | KeyScopes.Write);
        var account = await accounts.FindAccountByNameAsync(AccountName, cancellationToken);
        long keyId;
        if (account is null)
        {
            (account, keyId) = await accounts.CreateAccountAsync(AccountName, stored, cancellationToken);
            var first = await calls.ReserveCallNumbersAsync(CallCount, 0, cancellationToken);
            await calls.ImportAsync(account.Id, GenerateAsync(first, now), cancellationToken);
        }
        else
        {
            keyId = await accounts.CreateKeyAsync(account.Id, stored, cancellationToken);
        }
        // A one-time link into the dashboard, signed in with the demo key.
        var signInToken = await SignInLinks.CreateAsync(app.Services.GetRequiredService<IDashboardStore>(), keyId, now, cancellationToken);
        var devices = app.Services.GetRequiredService<IDeviceStore>();
        foreach (var (serial, name) in s_boxes)
        {
            await devices.AddAsync(account.Id, serial, name, cancellationToken); // null when registered on an earlier run
        }
        var (simulatorKey, simulatorStored) = ApiKeyFormat.Issue("demo simulator", KeyScopes.Read | KeyScopes.Ingest);
        await accounts.CreateKeyAsync(account.Id, simulatorStored, cancellationToken);

        var accountId = account.Id;
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                          ?? Hosting.GatewayHosting.DefaultUrl;
            Console.WriteLine();
            Console.WriteLine($"Salpre Gateway demo: account {accountId} \"{AccountName}\" with {CallCount} calls over the last 30 days and two simulated Salpre Boxes.");
            Console.WriteLine($"Demo key (read,write; shown only now): {secret}");
            Console.WriteLine("Try it:");
            Console.WriteLine($"curl --location --request GET '{address}/api/gateway/v1/call/list?per_page=10' --header 'account-secret-key: {secret}'");
            Console.WriteLine("Place a call (a simulated box carries it through; watch its status and logs):");
            Console.WriteLine($"curl --location --request POST '{address}/api/gateway/v1/call/make-call' --header 'account-secret-key: {secret}' " +
                              $"--form 'from=salprebox:{s_boxes[0].Serial}' --form 'to=+905321234567' --form 'agent_id=5'");
            Console.WriteLine($"Dashboard (this sign-in link works once, for 10 minutes): {SignInLinks.Address(address, signInToken)}");
            Console.WriteLine($"API reference: {address}/docs");
            Console.WriteLine($"Listening on {address}; press Ctrl+C to stop.");
            Console.WriteLine();
            StartSimulation(app, new Uri(address), simulatorKey);
        });
    }

    private static void StartSimulation(WebApplication app, Uri address, string key)
    {
        var speed = app.Configuration.GetValue("Demo:SimulationSpeed", 1.0);
        var http = new HttpClient { BaseAddress = new Uri(address.ToString().TrimEnd('/') + "/") };
        var simulator = new BoxSimulator(http, new SimulationOptions(http.BaseAddress, key, [.. s_boxes.Select(b => b.Serial)], speed),
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Salpre.Gateway.Simulation"));
        var stopping = app.Lifetime.ApplicationStopping;
        _ = Task.Run(async () =>
        {
            using (http)
            {
                await simulator.RunAsync(stopping);
            }
        }, CancellationToken.None);
    }

    /// <summary>Deterministic for a given "now": the same seed always tells the same story.</summary>
    public static async IAsyncEnumerable<CallDetailsRecord> GenerateAsync(long firstCallNum, DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var random = new Random(20251009);
        string[] boxes = [.. s_boxes.Select(box => "salprebox:" + box.Serial)];
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
            // The last few minutes' calls are still waiting to be dialled: the simulated boxes carry them on.
            var status = recent ? CallStatus.Initiated : FinalStatus(random);
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
