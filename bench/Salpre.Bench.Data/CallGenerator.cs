using System.Globalization;
using System.Text.Json;

namespace Salpre.Bench.Data;

/// <summary>
/// Realistic calls: account 1 holds the big share and the rest follow a long tail; each account's calls arrive
/// over two years, mostly in working hours, with a status mix, several agents and boxes, and talk times.
/// Numbers are unique across accounts, so re-importing a file changes nothing.
/// </summary>
public sealed class CallGenerator(GeneratorOptions options)
{
    private static readonly (string Status, double Upto)[] s_statusMix =
    [
        ("completed", 0.62), ("no-answer", 0.76), ("busy", 0.84), ("failed", 0.91), ("canceled", 0.95),
        ("in-progress", 0.96), ("ringing", 0.97), ("initiated", 0.98), ("completed", 1.0),
    ];

    private long _nextNumber = 1;

    /// <summary>How many calls each account holds: the big share for account 1, a 1/k tail for the others.</summary>
    public long CountOf(int account)
    {
        var big = (long)Math.Round(options.Calls * options.BigShare);
        if (account == 1 || options.Accounts == 1)
        {
            return options.Accounts == 1 ? options.Calls : big;
        }
        var weights = Enumerable.Range(2, options.Accounts - 1).Select(k => 1.0 / (k - 1)).ToArray();
        var rest = options.Calls - big;
        var shares = weights.Select(w => (long)Math.Floor(rest * w / weights.Sum())).ToArray();
        shares[0] += rest - shares.Sum(); // rounding goes to the second-largest account
        return shares[account - 2];
    }

    public IEnumerable<GeneratedCall> CallsOf(int account)
    {
        var random = new Random(account * 7919);
        var count = CountOf(account);
        var agents = account == 1 ? 20 : 1 + account % 12;
        var boxes = 1 + account % 5;
        var span = (GeneratorOptions.End - GeneratorOptions.Start).TotalSeconds;
        var step = span / Math.Max(count, 1);
        var time = GeneratorOptions.Start.ToUnixTimeSeconds() + random.NextDouble() * step;
        for (long i = 0; i < count; i++)
        {
            // Arrivals drift through the two years; within a day they keep to working hours (06:00-20:00 UTC).
            time += step * (0.5 + random.NextDouble());
            var started = (long)time;
            var secondOfDay = started % 86_400;
            if (secondOfDay < 6 * 3600)
            {
                started += 6 * 3600;
            }
            started = Math.Min(started, GeneratorOptions.End.ToUnixTimeSeconds() - 1);

            var roll = random.NextDouble();
            var status = s_statusMix.First(s => roll < s.Upto).Status;
            var ring = random.Next(3, 25);
            long? ended = null;
            int? duration = null;
            switch (status)
            {
                case "completed":
                    duration = (int)Math.Min(3600, 15 + -150 * Math.Log(1 - random.NextDouble()));
                    ended = started + ring + duration;
                    break;
                case "no-answer":
                    duration = 0;
                    ended = started + 30;
                    break;
                case "busy" or "failed" or "canceled":
                    duration = 0;
                    ended = started + random.Next(1, ring + 1);
                    break;
            }
            var transcript = status == "completed" && random.Next(5) == 0
                ? "Agent: Hello, this is the Salpre assistant calling about your appointment.\nCustomer: Yes, hi.\nAgent: It is confirmed for tomorrow at 14:30."
                : null;
            yield return new GeneratedCall(
                _nextNumber++,
                status,
                string.Create(CultureInfo.InvariantCulture, $"salprebox:SALPRE-{account:000}-{random.Next(boxes)}"),
                string.Create(CultureInfo.InvariantCulture, $"+905{random.Next(30, 60)}{random.Next(1_000_000, 10_000_000)}"),
                1 + random.Next(agents),
                random.NextDouble() < 0.82 ? "outbound" : "inbound",
                started,
                ended,
                duration,
                transcript);
        }
    }
}

public sealed record GeneratedCall(
    long Number, string Status, string From, string To, int AgentId, string Direction,
    long StartedAt, long? EndedAt, int? DurationSec, string? Transcript)
{
    private static string Time(long seconds) =>
        DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public string ToJson()
    {
        var json = string.Create(CultureInfo.InvariantCulture,
            $$"""{"call_id":"c{{Number}}","status":"{{Status}}","from":"{{From}}","to":"{{To}}","agent_id":{{AgentId}},"direction":"{{Direction}}","started_at":"{{Time(StartedAt)}}","ended_at":{{(EndedAt is { } e ? $"\"{Time(e)}\"" : "null")}},"duration_sec":{{(DurationSec?.ToString(CultureInfo.InvariantCulture) ?? "null")}}""");
        return Transcript is null ? json + "}" : json + ",\"transcript\":" + JsonSerializer.Serialize(Transcript, GeneratorJson.Default.String) + "}";
    }

    public string ToCsv(int account) => string.Create(CultureInfo.InvariantCulture,
        $"{account},{Number},{Status},{From},{To},{AgentId},{Direction},{Time(StartedAt)},{(EndedAt is { } e ? Time(e) : "")},{DurationSec}");
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class GeneratorJson : System.Text.Json.Serialization.JsonSerializerContext;
