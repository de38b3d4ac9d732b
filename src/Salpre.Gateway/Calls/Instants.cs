using System.Globalization;

namespace Salpre.Gateway.Calls;

/// <summary>Parses the list's time bounds into Unix seconds.</summary>
public static class Instants
{
    private static readonly string[] s_instantFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
    ];

    /// <summary>
    /// Reads an ISO-8601 instant that names its offset (<c>Z</c> or <c>+03:00</c>), or a date <c>yyyy-MM-dd</c> meaning
    /// the first instant of that day in <paramref name="zone"/>. The result is rounded up to a whole second, which
    /// is exact for both bounds because stored times are whole seconds.
    /// </summary>
    public static bool TryParseBound(string text, TimeZoneInfo zone, out long unixSeconds)
    {
        unixSeconds = 0;
        if (text.Length == 10)
        {
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return false;
            }
            if (StartOfDay(date, zone) is not { } start)
            {
                return false;
            }
            unixSeconds = start.ToUnixTimeSeconds();
            return true;
        }

        // An unescaped '+' in a query string arrives as a space.
        if (text.Length > 6 && text[^6] == ' ')
        {
            text = string.Concat(text.AsSpan(0, text.Length - 6), "+", text.AsSpan(text.Length - 5));
        }
        if (!NamesItsOffset(text)
            || !DateTimeOffset.TryParseExact(text, s_instantFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return false;
        }
        var seconds = instant.ToUnixTimeSeconds();
        unixSeconds = instant.UtcTicks % TimeSpan.TicksPerSecond == 0 ? seconds : seconds + 1;
        return true;
    }

    /// <summary>
    /// The first instant of a day in a zone, also when midnight is skipped or repeated by a clock change; null when
    /// that instant falls outside the years 1 to 9999 in UTC (the first day of year 1 east of Greenwich, say).
    /// </summary>
    public static DateTimeOffset? StartOfDay(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        var utcTicks = local.Ticks - offset.Ticks;
        return utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks ? null : new DateTimeOffset(local, offset);
    }

    private static bool NamesItsOffset(string text) =>
        text.EndsWith('Z') ||
        text.Length > 6 && text[^6] is '+' or '-' && char.IsAsciiDigit(text[^5]) && char.IsAsciiDigit(text[^4])
            && text[^3] == ':' && char.IsAsciiDigit(text[^2]) && char.IsAsciiDigit(text[^1]);
}
