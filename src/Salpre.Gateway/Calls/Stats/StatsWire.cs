using System.Text.Json;
using System.Text.Json.Serialization;
using Salpre.Gateway.Hosting;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls.Stats;

/// <summary>
/// What a set of calls adds up to: how many, by status (all eight, 0 where none), how many were answered, the answer
/// rate among those that ended, and the talk time of the answered ones that ended (total and average).
/// </summary>
[JsonConverter(typeof(StatsMeasuresConverter))]
public sealed class StatsMeasures
{
    private readonly long[] _calls = new long[CallStatuses.Count];
    private readonly long[] _answered = new long[CallStatuses.Count];

    public long TalkSec { get; private set; }

    public long Calls => _calls.Sum();

    public long Answered => _answered.Sum();

    public long Ended => Enumerable.Range(0, CallStatuses.Count).Where(i => ((CallStatus)i).IsFinal()).Sum(i => _calls[i]);

    public long AnsweredEnded => Enumerable.Range(0, CallStatuses.Count).Where(i => ((CallStatus)i).IsFinal()).Sum(i => _answered[i]);

    public double? AnswerRate => Ended == 0 ? null : (double)AnsweredEnded / Ended;

    public double? TalkSecAvg => AnsweredEnded == 0 ? null : (double)TalkSec / AnsweredEnded;

    public long CallsIn(CallStatus status) => _calls[(int)status];

    public void Add(CallStatus status, long calls, long answered, long talkSec)
    {
        _calls[(int)status] += calls;
        _answered[(int)status] += answered;
        TalkSec += talkSec;
    }

    /// <summary>The measures' fields, in their order, into an object already started.</summary>
    public void WriteFields(Utf8JsonWriter writer)
    {
        writer.WriteNumber("calls", Calls);
        writer.WriteStartObject("by_status");
        for (var i = 0; i < CallStatuses.Count; i++)
        {
            writer.WriteNumber(((CallStatus)i).ToWire(), _calls[i]);
        }
        writer.WriteEndObject();
        writer.WriteNumber("answered", Answered);
        WriteNullable(writer, "answer_rate", AnswerRate);
        writer.WriteNumber("talk_sec_total", TalkSec);
        WriteNullable(writer, "talk_sec_avg", TalkSecAvg);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number) writer.WriteNumber(name, Math.Round(number, 4));
        else writer.WriteNull(name);
    }
}

/// <summary>One group: its key, a field per dimension in the order asked, then its measures.</summary>
[JsonConverter(typeof(StatsGroupConverter))]
public sealed record StatsGroup(IReadOnlyList<StatsKey> Keys, StatsMeasures Measures);

/// <summary>A dimension's value in a group: text (a day, a status, a box) or a number (an agent, an hour of the day).</summary>
public readonly record struct StatsKey(StatsDimension Dimension, long Order, string? Text, long? Number);

public sealed record CallStats(StatsMeasures Totals, IReadOnlyList<StatsGroup> Groups);

/// <summary>The range the numbers cover (UTC instants, whatever was asked), the zone of the time groups, and the grouping.</summary>
public sealed record CallStatsMeta(
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset StartedAfter,
    [property: JsonConverter(typeof(UtcSecondsConverter))] DateTimeOffset StartedBefore,
    string Tz,
    IReadOnlyList<string> GroupBy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? IgnoredParameters);

public sealed record CallStatsResponse(CallStats Data, CallStatsMeta Meta)
{
    [JsonPropertyOrder(-1)]
    public string Status => "success";
}

public sealed class StatsMeasuresConverter : JsonConverter<StatsMeasures>
{
    public override StatsMeasures Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

    public override void Write(Utf8JsonWriter writer, StatsMeasures value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        value.WriteFields(writer);
        writer.WriteEndObject();
    }
}

public sealed class StatsGroupConverter : JsonConverter<StatsGroup>
{
    public override StatsGroup Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

    public override void Write(Utf8JsonWriter writer, StatsGroup value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var key in value.Keys)
        {
            if (key.Number is { } number) writer.WriteNumber(key.Dimension.Name(), number);
            else writer.WriteString(key.Dimension.Name(), key.Text);
        }
        value.Measures.WriteFields(writer);
        writer.WriteEndObject();
    }
}
