using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Salpre.Client;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary>The list's filters as options, checked while parsing (a bad value is a usage error, before any request).</summary>
public sealed class CallFilters
{
    public Option<CallStatus[]> Status { get; } = new("--status")
    {
        Description = $"Statuses, comma-separated or repeated: {string.Join(", ", WireNames.Statuses)}.",
        CustomParser = result => ParseList<CallStatus>(result, "--status", text => WireNames.TryParseStatus(text, out var status) ? status : null),
    };

    public Option<long[]> Agent { get; } = new("--agent")
    {
        Description = "Agent ids, comma-separated or repeated.",
        CustomParser = result => ParseList(result, "--agent", text => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : (long?)null),
    };

    public Option<string?> Direction { get; } = new Option<string?>("--direction") { Description = "outbound or inbound." }.AcceptOnlyFromAmong("outbound", "inbound");

    public Option<string?> To { get; } = new("--to") { Description = "Exactly this callee (E.164)." };

    public Option<string?> From { get; } = new("--from") { Description = "Exactly this caller, e.g. salprebox:SALPRE_123456." };

    public Option<DateTimeOffset?> After { get; } = new("--after")
    {
        Description = "Started at or after: an instant (2025-10-09T13:00:00+03:00) or a date (2025-10-09, UTC).",
        CustomParser = result => ParseInstant(result, "--after"),
    };

    public Option<DateTimeOffset?> Before { get; } = new("--before")
    {
        Description = "Started before: an instant or a date (UTC).",
        CustomParser = result => ParseInstant(result, "--before"),
    };

    public Option<int?> MinDuration { get; } = new("--min-duration") { Description = "Talked at least this many seconds." };

    public Option<int?> MaxDuration { get; } = new("--max-duration") { Description = "Talked at most this many seconds." };

    public Option<string?> Order { get; } = new Option<string?>("--order") { Description = "desc (newest first, the default) or asc." }.AcceptOnlyFromAmong("desc", "asc");

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Status, Agent, Direction, To, From, After, Before, MinDuration, MaxDuration, Order })
        {
            command.Options.Add(option);
        }
    }

    public CallListOptions ToListOptions(ParseResult parse) => new()
    {
        Statuses = parse.GetValue(Status),
        AgentIds = parse.GetValue(Agent),
        Direction = parse.GetValue(Direction) switch
        {
            "outbound" => CallDirection.Outbound,
            "inbound" => CallDirection.Inbound,
            _ => null,
        },
        To = parse.GetValue(To),
        From = parse.GetValue(From),
        StartedAfter = parse.GetValue(After),
        StartedBefore = parse.GetValue(Before),
        MinDuration = parse.GetValue(MinDuration) is { } min ? TimeSpan.FromSeconds(min) : null,
        MaxDuration = parse.GetValue(MaxDuration) is { } max ? TimeSpan.FromSeconds(max) : null,
        Order = parse.GetValue(Order) switch
        {
            "asc" => CallOrder.Ascending,
            "desc" => CallOrder.Descending,
            _ => null,
        },
    };

    private static T[] ParseList<T>(ArgumentResult result, string name, Func<string, T?> parse) where T : struct
    {
        var values = new List<T>();
        foreach (var part in result.Tokens.SelectMany(token => token.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (parse(part) is not { } value)
            {
                result.AddError($"{name}: '{part}' is not valid.");
                return [];
            }
            values.Add(value);
        }
        return [.. values];
    }

    private static DateTimeOffset? ParseInstant(ArgumentResult result, string name)
    {
        var text = result.Tokens.Single().Value;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant;
        }
        result.AddError($"{name}: '{text}' is neither an instant nor a date.");
        return null;
    }
}
