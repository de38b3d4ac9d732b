using Salpre.Storage.Calls;
using StoredDirection = Salpre.Storage.Calls.CallDirection;
using StoredStatus = Salpre.Storage.Calls.CallStatus;

namespace Salpre.Client.Tests.Infrastructure;

/// <summary>Deterministic, varied calls: every status, several agents and boxes, both directions, shared seconds.</summary>
public static class CallData
{
    public static readonly DateTimeOffset Epoch = new(2025, 10, 1, 0, 0, 0, TimeSpan.Zero);

    public static List<CallDetailsRecord> Generate(int count, int seed, long firstNumber)
    {
        var random = new Random(seed);
        var calls = new List<CallDetailsRecord>(count);
        var started = Epoch.ToUnixTimeSeconds();
        for (var i = 0; i < count; i++)
        {
            // About one call in four shares its second with the previous one, to exercise the call_id tie-break.
            started += random.Next(4) == 0 ? 0 : random.Next(1, 3600);
            var status = (StoredStatus)random.Next(CallStatuses.Count);
            var duration = status == StoredStatus.Completed ? random.Next(1, 900) : 0;
            calls.Add(new CallDetailsRecord(
                new CallRecord(
                    firstNumber + i,
                    status,
                    $"salprebox:BOX{random.Next(3)}",
                    $"+90532{random.Next(1000000, 1000005)}",
                    random.Next(1, 6),
                    random.Next(4) == 0 ? StoredDirection.Inbound : StoredDirection.Outbound,
                    started,
                    status.IsFinal() ? started + duration + random.Next(0, 30) : null,
                    status.IsFinal() ? duration : null),
                status == StoredStatus.Completed ? $"https://recordings.example.com/{i}.mp3" : null,
                status == StoredStatus.Completed ? "Agent: Hello, \"Ayşe\".\nCustomer: Hi." : null,
                status == StoredStatus.Completed ? """{"score":4}""" : null));
        }
        return calls;
    }

    /// <summary>The list order of the contract, computed independently of the gateway.</summary>
    public static IEnumerable<CallDetailsRecord> InListOrder(this IEnumerable<CallDetailsRecord> calls, bool ascending = false) =>
        ascending
            ? calls.OrderBy(c => c.Call.StartedAt).ThenBy(c => c.Call.CallNum)
            : calls.OrderByDescending(c => c.Call.StartedAt).ThenByDescending(c => c.Call.CallNum);

    public static string CallId(this CallDetailsRecord call) => $"c{call.Call.CallNum}";
}
