using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace Salpre.Gateway.Dashboard;

/// <summary>How the dashboard writes times, durations and rates: in the chosen zone, with the zone named.</summary>
public static class DashboardFormat
{
    public static DateTimeOffset Local(DateTimeOffset utc, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(utc, zone);

    public static string Time(DateTimeOffset utc, TimeZoneInfo zone) =>
        Local(utc, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The exact time with its offset and zone, for a tooltip.</summary>
    public static string Exact(DateTimeOffset utc, TimeZoneInfo zone) =>
        Local(utc, zone).ToString("yyyy-MM-dd HH:mm:ss 'UTC'zzz", CultureInfo.InvariantCulture) + " (" + zone.Id + ")";

    public static string Iso(DateTimeOffset utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The zone as a reader knows it: its id and its offset now.</summary>
    public static string ZoneName(TimeZoneInfo zone, DateTimeOffset now)
    {
        var offset = zone.GetUtcOffset(now);
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        return string.Create(CultureInfo.InvariantCulture, $"{zone.Id} (UTC{sign}{offset.Duration():hh\\:mm})");
    }

    public static string Duration(long? seconds) => seconds switch
    {
        null => "—",
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds} s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}:{seconds % 60:00}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}:{seconds % 3600 / 60:00}:{seconds % 60:00}"),
    };

    public static string Duration(double? seconds) => seconds is { } value ? Duration((long)Math.Round(value)) : "—";

    public static string Rate(double? rate) => rate is { } value ? (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>"2 min ago", as a reader glances at it.</summary>
    public static string Ago(DateTimeOffset then, DateTimeOffset now)
    {
        var seconds = (long)(now - then).TotalSeconds;
        return seconds switch
        {
            < 5 => "just now",
            < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds} s ago"),
            < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60} min ago"),
            < 86_400 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600} h ago"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 86_400} d ago"),
        };
    }

    /// <summary>A dashboard address that keeps the chosen zone.</summary>
    public static string WithZone(string path, string? tz) =>
        tz is null ? path : QueryHelpers.AddQueryString(path, "tz", tz);

    /// <summary>A path with a query string of these values, in their order.</summary>
    public static string Address(string path, IEnumerable<KeyValuePair<string, string>> values) =>
        QueryHelpers.AddQueryString(path, values.Select(pair => new KeyValuePair<string, string?>(pair.Key, pair.Value)));

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Invariant(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
