using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Salpre.Client;
using Salpre.Client.Serialization;

namespace Salpre.Cli.Commands;

/// <summary>
/// The list's filters as options, checked while parsing (a bad value is a usage error, before any request); the list
/// and the export also take <see cref="Order"/>, the statistics the filters alone.
/// </summary>
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

    public Option<TimeBound?> After { get; }

    public Option<TimeBound?> Before { get; }

    public Option<int?> MinDuration { get; } = new("--min-duration") { Description = "Talked at least this many seconds." };

    public Option<int?> MaxDuration { get; } = new("--max-duration") { Description = "Talked at most this many seconds." };

    public Option<string?> Order { get; } = new Option<string?>("--order") { Description = "desc (newest first, the default) or asc." }.AcceptOnlyFromAmong("desc", "asc");

    /// <param name="dateZone">What a date bound means, for the help: "UTC", or "the --tz zone".</param>
    public CallFilters(string dateZone = "UTC")
    {
        After = new Option<TimeBound?>("--after")
        {
            Description = $"Started at or after: an instant (2025-10-09T13:00:00+03:00) or a date (2025-10-09, {dateZone}).",
            CustomParser = result => ParseBound(result, "--after"),
        };
        Before = new Option<TimeBound?>("--before")
        {
            Description = $"Started before: an instant or a date ({dateZone}).",
            CustomParser = result => ParseBound(result, "--before"),
        };
    }

    /// <summary>The filters and <c>--order</c> (the list, the export).</summary>
    public void AddTo(Command command)
    {
        AddFiltersTo(command);
        command.Options.Add(Order);
    }

    /// <summary>The filters alone (the statistics, which have no order).</summary>
    public void AddFiltersTo(Command command)
    {
        foreach (var option in new Option[] { Status, Agent, Direction, To, From, After, Before, MinDuration, MaxDuration })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The list's options: the filters, dates meaning UTC, and the order.</summary>
    public CallListOptions ToListOptions(ParseResult parse) => Apply(new CallListOptions(), parse, TimeZoneInfo.Utc) with
    {
        Order = parse.GetValue(Order) switch
        {
            "asc" => CallOrder.Ascending,
            "desc" => CallOrder.Descending,
            _ => null,
        },
    };

    /// <summary>The filters onto <paramref name="options"/>, a date bound meaning the start of that day in <paramref name="dateZone"/>.</summary>
    public T Apply<T>(T options, ParseResult parse, TimeZoneInfo dateZone) where T : CallFilterOptions => (T)(options with
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
        StartedAfter = parse.GetValue(After)?.In(dateZone),
        StartedBefore = parse.GetValue(Before)?.In(dateZone),
        MinDuration = parse.GetValue(MinDuration) is { } min ? TimeSpan.FromSeconds(min) : null,
        MaxDuration = parse.GetValue(MaxDuration) is { } max ? TimeSpan.FromSeconds(max) : null,
    });

    /// <summary>Whether <c>--after</c> or <c>--before</c> was given as a date (and so needs a zone).</summary>
    public bool HasDateBound(ParseResult parse) => parse.GetValue(After)?.Date is not null || parse.GetValue(Before)?.Date is not null;

    /// <summary>A comma list, or a repeated option; the first item that is not valid is a usage error.</summary>
    internal static T[] ParseList<T>(ArgumentResult result, string name, Func<string, T?> parse, IEnumerable<string>? valid = null) where T : struct
    {
        var values = new List<T>();
        foreach (var part in result.Tokens.SelectMany(token => token.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (parse(part) is not { } value)
            {
                result.AddError($"{name}: '{part}' is not valid" + (valid is null ? "." : $" (one of {string.Join(", ", valid)})."));
                return [];
            }
            values.Add(value);
        }
        return [.. values];
    }

    private static TimeBound? ParseBound(ArgumentResult result, string name)
    {
        var text = result.Tokens.Single().Value;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new TimeBound(null, date);
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return new TimeBound(instant, null);
        }
        result.AddError($"{name}: '{text}' is neither an instant nor a date.");
        return null;
    }
}

/// <summary>A time bound as given: an instant, or a date whose start depends on the zone it is read in.</summary>
public readonly record struct TimeBound(DateTimeOffset? Instant, DateOnly? Date)
{
    /// <summary>The instant, or the first instant of the date in <paramref name="zone"/> (also when a clock change skips its midnight).</summary>
    public DateTimeOffset In(TimeZoneInfo zone)
    {
        if (Instant is { } instant)
        {
            return instant;
        }
        var local = Date.GetValueOrDefault().ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        var utcTicks = local.Ticks - offset.Ticks;
        // The first day of year 1 east of Greenwich (or the last of 9999 west of it) starts outside DateTimeOffset.
        return utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks ? new DateTimeOffset(local, TimeSpan.Zero) : new DateTimeOffset(local, offset);
    }
}
