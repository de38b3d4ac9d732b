using System.Globalization;
using Salpre.Gateway.Calls;

namespace Salpre.Gateway.Tests.Calls;

public sealed class InstantsTests
{
    [Theory]
    [InlineData("Europe/Istanbul", "2025-10-09", "2025-10-08T21:00:00Z")]
    [InlineData("America/Sao_Paulo", "2018-11-04", "2018-11-04T03:00:00Z")] // midnight skipped: the day starts at 01:00
    [InlineData("America/Havana", "2024-11-03", "2024-11-03T04:00:00Z")]    // midnight repeated: the first one counts
    [InlineData("Pacific/Kiritimati", "2025-01-01", "2024-12-31T10:00:00Z")]
    public void A_day_starts_at_its_first_instant_in_the_zone(string zone, string date, string expected)
    {
        var start = Instants.StartOfDay(DateOnly.Parse(date, CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById(zone));

        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), start);
    }

    [Theory]
    [InlineData("2025-10-09T10:41:22Z", 1760006482)]
    [InlineData("2025-10-09T13:41:22+03:00", 1760006482)]
    [InlineData("2025-10-09T13:41:22 03:00", 1760006482)]
    [InlineData("2025-10-09T10:41:21.2Z", 1760006482)] // rounded up: stored times are whole seconds
    [InlineData("2025-10-09T10:41Z", 1760006460)]
    public void Reads_instants_that_name_their_offset(string text, long expected)
    {
        Assert.True(Instants.TryParseBound(text, TimeZoneInfo.Utc, out var seconds));
        Assert.Equal(expected, seconds);
    }

    [Theory]
    [InlineData("2025-10-09T10:41:22")]
    [InlineData("2025-10-09 10:41:22Z")]
    [InlineData("2025-02-30")]
    [InlineData("20251009")]
    [InlineData("")]
    public void Refuses_instants_without_an_offset_or_out_of_shape(string text)
    {
        Assert.False(Instants.TryParseBound(text, TimeZoneInfo.Utc, out _));
    }

    [Theory]
    [InlineData("0001-01-01", "Europe/Istanbul")] // its midnight is in year 0 in UTC
    [InlineData("0001-01-01", "Asia/Tokyo")]
    public void Refuses_a_day_whose_start_in_the_zone_is_outside_the_calendar(string date, string zone)
    {
        Assert.False(Instants.TryParseBound(date, TimeZoneInfo.FindSystemTimeZoneById(zone), out _));
    }
}
