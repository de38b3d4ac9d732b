using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Salpre.Client.Serialization;

/// <summary>
/// <c>by_status</c>: an object keyed by the wire statuses. Reads into the eight statuses in their order (0 for any the
/// server left out; a status newer than this client adds to <see cref="CallStatus.Unknown"/>); writes them back so.
/// </summary>
public sealed class CallStatusCountsConverter : JsonConverter<IReadOnlyDictionary<CallStatus, long>>
{
    private static readonly CallStatus[] s_known = [.. Enum.GetValues<CallStatus>().Where(status => status != CallStatus.Unknown)];

    /// <summary>The eight statuses at 0.</summary>
    internal static readonly IReadOnlyDictionary<CallStatus, long> Zeros = new ReadOnlyDictionary<CallStatus, long>(NewCounts());

    public override IReadOnlyDictionary<CallStatus, long> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("by_status is not an object.");
        }
        var counts = NewCounts();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var status = WireNames.TryParseStatus(reader.GetString(), out var known) ? known : CallStatus.Unknown;
            reader.Read();
            var count = StatsJson.ReadInt64(ref reader, "by_status");
            counts[status] = counts.GetValueOrDefault(status) + count;
        }
        return new ReadOnlyDictionary<CallStatus, long>(counts);
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<CallStatus, long> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var status in s_known)
        {
            writer.WriteNumber(status.ToWire(), value.GetValueOrDefault(status));
        }
        if (value.TryGetValue(CallStatus.Unknown, out var unknown))
        {
            writer.WriteNumber(CallStatus.Unknown.ToWire(), unknown);
        }
        writer.WriteEndObject();
    }

    private static Dictionary<CallStatus, long> NewCounts() => s_known.ToDictionary(status => status, _ => 0L);
}

/// <summary>
/// A group: its keys (a field per dimension, in the order of <c>group_by</c>) then the measures' fields. The measures
/// are read and written through <see cref="CallStatsMeasures"/>' own (source-generated) contract.
/// </summary>
public sealed class CallStatsGroupConverter : JsonConverter<CallStatsGroup>
{
    public override CallStatsGroup Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A group is not an object.");
        }
        using var document = JsonDocument.ParseValue(ref reader);
        var measures = document.RootElement.Deserialize(MeasuresInfo(options)) ?? throw new JsonException("A group has no measures.");
        var group = new CallStatsGroup(measures);
        var dimensions = new List<CallStatsDimension>(2);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!WireNames.TryParseDimension(property.Name, out var dimension))
            {
                continue;
            }
            if (!dimensions.Contains(dimension))
            {
                dimensions.Add(dimension);
            }
            group = property.Value.ValueKind == JsonValueKind.Null ? group : WithKey(group, dimension, property.Value);
        }
        return group with { Dimensions = dimensions };
    }

    public override void Write(Utf8JsonWriter writer, CallStatsGroup value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var dimension in value.Dimensions)
        {
            var name = dimension.ToWire();
            var number = dimension switch
            {
                CallStatsDimension.HourOfDay => value.HourOfDay,
                CallStatsDimension.Weekday => value.Weekday,
                CallStatsDimension.AgentId => value.AgentId,
                _ => (long?)null,
            };
            if (number is { } n)
            {
                writer.WriteNumber(name, n);
            }
            else if (value.KeyText(dimension) is { } text)
            {
                writer.WriteString(name, text);
            }
            else
            {
                writer.WriteNull(name);
            }
        }
        using var measures = JsonSerializer.SerializeToDocument<CallStatsMeasures>(value, MeasuresInfo(options));
        foreach (var property in measures.RootElement.EnumerateObject())
        {
            property.WriteTo(writer);
        }
        writer.WriteEndObject();
    }

    private static JsonTypeInfo<CallStatsMeasures> MeasuresInfo(JsonSerializerOptions options) =>
        (JsonTypeInfo<CallStatsMeasures>)options.GetTypeInfo(typeof(CallStatsMeasures));

    private static CallStatsGroup WithKey(CallStatsGroup group, CallStatsDimension dimension, JsonElement value) => dimension switch
    {
        CallStatsDimension.Hour => group with { Hour = Parse(value, dimension, text => DateTimeOffset.TryParseExact(text, s_hourFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var hour) ? hour : (DateTimeOffset?)null) },
        CallStatsDimension.Day => group with { Day = Parse(value, dimension, text => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : (DateOnly?)null) },
        CallStatsDimension.Week => group with { Week = Text(value, dimension) },
        CallStatsDimension.Month => group with { Month = Parse(value, dimension, text => DateOnly.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) ? month : (DateOnly?)null) },
        CallStatsDimension.HourOfDay => group with { HourOfDay = Int(value, dimension) },
        CallStatsDimension.Weekday => group with { Weekday = Int(value, dimension) },
        CallStatsDimension.AgentId => group with { AgentId = Number(value, dimension) },
        CallStatsDimension.Status => group with { Status = WireNames.TryParseStatus(Text(value, dimension), out var status) ? status : CallStatus.Unknown },
        CallStatsDimension.Direction => group with { Direction = WireNames.TryParseDirection(Text(value, dimension), out var direction) ? direction : CallDirection.Unknown },
        _ => group with { From = Text(value, dimension) },
    };

    private static readonly string[] s_hourFormats = ["yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz"];

    private static string Text(JsonElement value, CallStatsDimension dimension) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new JsonException($"The group's {dimension.ToWire()} is not text.");

    private static T Parse<T>(JsonElement value, CallStatsDimension dimension, Func<string, T?> parse) where T : struct =>
        parse(Text(value, dimension)) ?? throw new JsonException($"The group's {dimension.ToWire()} '{value.GetString()}' is not valid.");

    private static int Int(JsonElement value, CallStatsDimension dimension) =>
        Number(value, dimension) is var number && number is >= int.MinValue and <= int.MaxValue
            ? (int)number
            : throw new JsonException($"The group's {dimension.ToWire()} is out of range.");

    private static long Number(JsonElement value, CallStatsDimension dimension)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }
        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }
        throw new JsonException($"The group's {dimension.ToWire()} is not an integer.");
    }
}

internal static class StatsJson
{
    /// <summary>An integer, also when sent as text (as the client's contexts allow everywhere).</summary>
    public static long ReadInt64(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
        {
            return number;
        }
        if (reader.TokenType == JsonTokenType.String && long.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }
        throw new JsonException($"A count in {what} is not an integer.");
    }
}
