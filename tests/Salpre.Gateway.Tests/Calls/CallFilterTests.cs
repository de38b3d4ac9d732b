using System.Globalization;
using CsCheck;
using Salpre.Gateway.Tests.Infrastructure;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Tests.Calls;

/// <summary>Every filter of GET /call/list, against an independent expectation computed from the seeded calls.</summary>
public sealed class CallFilterTests(CallFilterTests.Seeded seeded) : IClassFixture<CallFilterTests.Seeded>
{
    private const string List = "/api/gateway/v1/call/list";

    /// <summary>One account with 400 varied calls, beside another account whose calls must never show.</summary>
    public sealed class Seeded : GatewayFactory
    {
        public TestAccount Account { get; private set; } = null!;
        public IReadOnlyList<CallDetailsRecord> SeededCalls { get; private set; } = [];

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Account = await CreateAccountAsync();
            SeededCalls = await SeedAsync(Account.Id, CallData.Generate(400, seed: 42));
            var other = await CreateAccountAsync();
            await SeedAsync(other.Id, CallData.Generate(100, seed: 42));
        }
    }

    private static readonly string[] s_statuses =
        ["initiated", "ringing", "in-progress", "completed", "busy", "no-answer", "failed", "canceled"];

    /// <summary>A random filter, as query parameters and as a predicate over the seeded calls.</summary>
    private sealed record FilterCase(string Query, Func<CallDetailsRecord, bool> Matches, bool Ascending)
    {
        public override string ToString() => Query;
    }

    private static readonly Gen<FilterCase> s_filters =
        Gen.Select(
            Gen.Select(Gen.Int[0, 255], Gen.Int[0, 63], Gen.Int[0, 2], Gen.Int[-1, 5], Gen.Int[-1, 2], (a, b, c, d, e) => (a, b, c, d, e)),
            Gen.Select(Gen.Int[-1, 400], Gen.Int[-1, 400], Gen.Int[-1, 900], Gen.Int[-1, 900], Gen.Bool, (a, b, c, d, e) => (a, b, c, d, e)),
            (first, second) => Build(first, second));

    private static FilterCase Build((int, int, int, int, int) first, (int, int, int, int, bool) second)
    {
            var (statusBits, agentBits, direction, to, from) = first;
            var (after, before, min, max, ascending) = second;
            {
            var parts = new List<string>();
            Func<CallDetailsRecord, bool> match = _ => true;
            var statuses = Enumerable.Range(0, 8).Where(i => (statusBits & (1 << i)) != 0).ToArray();
            if (statuses.Length > 0)
            {
                parts.Add("status=" + string.Join(',', statuses.Select(i => s_statuses[i])));
                match = And(match, c => statuses.Contains((int)c.Call.Status));
            }
            var agents = Enumerable.Range(1, 6).Where(i => (agentBits & (1 << (i - 1))) != 0).ToArray();
            if (agents.Length > 0)
            {
                parts.Add("agent_id=" + string.Join(',', agents));
                match = And(match, c => agents.Contains((int)c.Call.AgentId));
            }
            if (direction > 0)
            {
                var wanted = direction == 1 ? CallDirection.Outbound : CallDirection.Inbound;
                parts.Add("direction=" + (direction == 1 ? "outbound" : "inbound"));
                match = And(match, c => c.Call.Direction == wanted);
            }
            if (to >= 0)
            {
                var number = $"+90532{1000000 + to}";
                parts.Add("to=" + Uri.EscapeDataString(number));
                match = And(match, c => c.Call.To == number);
            }
            if (from >= 0)
            {
                parts.Add($"from=salprebox:BOX{from}");
                match = And(match, c => c.Call.From == $"salprebox:BOX{from}");
            }
            if (after >= 0)
            {
                var bound = CallData.Epoch.AddHours(after * 2.5);
                parts.Add("started_after=" + Uri.EscapeDataString(bound.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)));
                match = And(match, c => c.Call.StartedAt >= bound.ToUnixTimeSeconds());
            }
            if (before >= 0)
            {
                var day = DateOnly.FromDateTime(CallData.Epoch.UtcDateTime).AddDays(before / 8);
                parts.Add("started_before=" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                var bound = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
                match = And(match, c => c.Call.StartedAt < bound);
            }
            if (min >= 0)
            {
                parts.Add($"min_duration={min}");
                match = And(match, c => c.Call.DurationSec >= min);
            }
            if (max >= 0)
            {
                parts.Add($"max_duration={max}");
                match = And(match, c => c.Call.DurationSec <= max);
            }
            if (ascending)
            {
                parts.Add("order=asc");
            }
            return new FilterCase(string.Join('&', parts), match, ascending);
            }
    }

    private static Func<CallDetailsRecord, bool> And(Func<CallDetailsRecord, bool> first, Func<CallDetailsRecord, bool> second) =>
        call => first(call) && second(call);

    [Fact]
    public async Task Every_filter_combination_lists_exactly_the_matching_calls_in_order()
    {
        var client = seeded.Client(seeded.Account.Key);
        await s_filters.SampleAsync(async filter =>
        {
            var expected = seeded.SeededCalls.Where(filter.Matches).InListOrder(filter.Ascending).Select(c => $"c{c.Call.CallNum}").ToList();
            var actual = await ReadAllAsync(client, filter.Query);
            Assert.Equal(expected, actual);
        }, iter: 150, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public async Task Counts_what_the_filter_matches()
    {
        var client = seeded.Client(seeded.Account.Key);
        await s_filters.SampleAsync(async filter =>
        {
            var response = await client.GetWireAsync($"{List}?include_total=true&{filter.Query}");
            Assert.Equal(seeded.SeededCalls.Count(filter.Matches), response.Meta["total"]!.GetValue<long>());
        }, iter: 50, seed: "0N0XIzNsQ0O2");
    }

    [Theory]
    [InlineData("Europe/Istanbul", "2025-10-02", "2025-10-01T21:00:00Z")]
    [InlineData("America/New_York", "2025-10-12", "2025-10-12T04:00:00Z")]
    [InlineData("America/New_York", "2025-10-03", "2025-10-03T04:00:00Z")]
    [InlineData("Asia/Kolkata", "2025-10-05", "2025-10-04T18:30:00Z")]
    [InlineData("UTC", "2025-10-05", "2025-10-05T00:00:00Z")]
    public async Task Reads_a_date_as_the_start_of_that_day_in_tz(string zone, string date, string instant)
    {
        var client = seeded.Client(seeded.Account.Key);
        var byDate = await ReadAllAsync(client, $"started_after={date}&started_before=2025-10-20&tz={Uri.EscapeDataString(zone)}");
        var byInstant = await ReadAllAsync(client, $"started_after={instant}&started_before=2025-10-20&tz={Uri.EscapeDataString(zone)}");
        var bound = DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture).ToUnixTimeSeconds();

        Assert.NotEmpty(byDate);
        Assert.Equal(byInstant, byDate);
        Assert.Equal(seeded.SeededCalls.Count(c => c.Call.StartedAt >= bound && c.Call.StartedAt < Day("2025-10-20", zone)), byDate.Count);
    }

    [Fact]
    public async Task Takes_offsets_and_an_unescaped_plus_the_same_way_but_an_escaped_space_as_a_space()
    {
        var client = seeded.Client(seeded.Account.Key);
        var utc = await ReadAllAsync(client, "started_after=2025-10-03T09:00:00Z");
        var escaped = await ReadAllAsync(client, "started_after=2025-10-03T12:00:00%2B03:00");
        var unescaped = await ReadAllAsync(client, "started_after=2025-10-03T12:00:00+03:00");
        var toEscaped = await ReadAllAsync(client, "to=%2B905321000002");
        var toUnescaped = await ReadAllAsync(client, "to=+905321000002");
        var toSpace = await ReadAllAsync(client, "to=%20905321000002");

        Assert.NotEmpty(utc);
        Assert.Equal(utc, escaped);
        Assert.Equal(utc, unescaped);
        Assert.NotEmpty(toEscaped);
        Assert.Equal(toEscaped, toUnescaped);
        Assert.Empty(toSpace);
    }

    [Fact]
    public async Task Matches_no_duration_filter_for_calls_that_have_not_ended()
    {
        var client = seeded.Client(seeded.Account.Key);
        var open = seeded.SeededCalls.Where(c => !c.Call.Status.IsFinal()).Select(c => $"c{c.Call.CallNum}").ToHashSet();

        var anyDuration = await ReadAllAsync(client, "min_duration=0");

        Assert.NotEmpty(open);
        Assert.DoesNotContain(anyDuration, open.Contains);
        Assert.Equal(seeded.SeededCalls.Count(c => c.Call.Status.IsFinal()), anyDuration.Count);
    }

    [Theory]
    [InlineData("status=bogus", "status")]
    [InlineData("status=", "status")]
    [InlineData("status=completed,", "status")]
    [InlineData("status=COMPLETED", "status")]
    [InlineData("agent_id=x", "agent_id")]
    [InlineData("agent_id=-1", "agent_id")]
    [InlineData("agent_id=1,,2", "agent_id")]
    [InlineData("direction=sideways", "direction")]
    [InlineData("direction=outbound&direction=inbound", "direction")]
    [InlineData("to=", "to")]
    [InlineData("from=", "from")]
    [InlineData("started_after=2025-13-01", "started_after")]
    [InlineData("started_after=2025-10-01T10:00:00", "started_after")]
    [InlineData("started_after=yesterday", "started_after")]
    [InlineData("started_before=2025-10-01T25:00:00Z", "started_before")]
    [InlineData("min_duration=-1", "min_duration")]
    [InlineData("max_duration=1.5", "max_duration")]
    [InlineData("order=up", "order")]
    [InlineData("tz=Mars/Olympus_Mons", "tz")]
    [InlineData("tz=", "tz")]
    public async Task Refuses_an_invalid_filter_value_naming_it(string query, string parameter)
    {
        var response = await seeded.Client(seeded.Account.Key).GetWireAsync($"{List}?{query}");

        Assert.Equal(400, response.Status);
        Assert.Equal($"Invalid {parameter} value", response.Json["message"]!.GetValue<string>());
        Assert.Equal(parameter, response.Json["param"]!.GetValue<string>());
        Assert.Equal("invalid_parameter", response.Json["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Takes_repeated_list_parameters_like_a_comma_list()
    {
        var client = seeded.Client(seeded.Account.Key);

        var commas = await ReadAllAsync(client, "status=completed,failed&agent_id=1,2");
        var repeated = await ReadAllAsync(client, "status=completed&status=failed&agent_id=1&agent_id=2");

        Assert.NotEmpty(commas);
        Assert.Equal(commas, repeated);
    }

    private static long Day(string date, string zone) =>
        Salpre.Gateway.Calls.Instants.StartOfDay(DateOnly.Parse(date, CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById(zone))!.Value.ToUnixTimeSeconds();

    /// <summary>Every call id of a filtered list, following cursors from the first page to the last.</summary>
    internal static async Task<List<string>> ReadAllAsync(HttpClient client, string query)
    {
        var ids = new List<string>();
        var response = await client.GetWireAsync($"{List}?per_page=100&{query}");
        while (true)
        {
            Assert.Equal(200, response.Status);
            ids.AddRange(response.CallIds);
            var cursor = response.Meta["next_cursor"]?.GetValue<string>();
            if (cursor is null)
            {
                return ids;
            }
            response = await client.GetWireAsync($"{List}?cursor={Uri.EscapeDataString(cursor)}");
        }
    }
}
