using Salpre.Storage.Calls;

namespace Salpre.Gateway.Tests.Infrastructure;

/// <summary>Deterministic, varied calls: every status, several agents and boxes, both directions, shared seconds.</summary>
public static class CallData
{
    public static readonly DateTimeOffset Epoch = new(2025, 10, 1, 0, 0, 0, TimeSpan.Zero);

    public static List<CallDetailsRecord> Generate(int count, int seed = 1, long firstNumber = 0)
    {
        var random = new Random(seed);
        var calls = new List<CallDetailsRecord>(count);
        var started = Epoch.ToUnixTimeSeconds();
        for (var i = 0; i < count; i++)
        {
            // About one call in four shares its second with the previous one, to exercise the call_id tie-break.
            started += random.Next(4) == 0 ? 0 : random.Next(1, 4 * 3600);
            calls.Add(Call(random, started, firstNumber == 0 ? 0 : firstNumber + i));
        }
        return calls;
    }

    public static CallDetailsRecord Call(Random random, long startedAt, long number)
    {
        var status = (CallStatus)random.Next(CallStatuses.Count);
        var duration = status == CallStatus.Completed ? random.Next(1, 900) : 0;
        var ended = status.IsFinal() ? startedAt + duration + random.Next(0, 30) : (long?)null;
        return new CallDetailsRecord(new CallRecord(
            number,
            status,
            $"salprebox:BOX{random.Next(3)}",
            $"+90532{random.Next(1000000, 1000005)}",
            random.Next(1, 6),
            random.Next(4) == 0 ? CallDirection.Inbound : CallDirection.Outbound,
            startedAt,
            ended,
            status.IsFinal() ? duration : null),
            status == CallStatus.Completed ? $"https://recordings.example.com/{number}.mp3" : null,
            status == CallStatus.Completed ? "Agent: Hello.\nCustomer: Hi." : null,
            status == CallStatus.Completed ? """{"customer":"Ayşe","score":4}""" : null);
    }

    /// <summary>The list order of the contract, computed independently of the gateway.</summary>
    public static IEnumerable<CallDetailsRecord> InListOrder(this IEnumerable<CallDetailsRecord> calls, bool ascending = false) =>
        ascending
            ? calls.OrderBy(c => c.Call.StartedAt).ThenBy(c => c.Call.CallNum)
            : calls.OrderByDescending(c => c.Call.StartedAt).ThenByDescending(c => c.Call.CallNum);
}
