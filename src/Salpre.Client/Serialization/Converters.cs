using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Salpre.Client.Serialization;

/// <summary>Statuses in their wire spelling; a status newer than this client reads as <see cref="CallStatus.Unknown"/>.</summary>
public sealed class CallStatusConverter : JsonConverter<CallStatus>
{
    public override CallStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        WireNames.TryParseStatus(reader.GetString(), out var status) ? status : CallStatus.Unknown;

    public override void Write(Utf8JsonWriter writer, CallStatus value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToWire());
}

/// <summary>Directions in their wire spelling; an unknown one reads as <see cref="CallDirection.Unknown"/>.</summary>
public sealed class CallDirectionConverter : JsonConverter<CallDirection>
{
    public override CallDirection Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        WireNames.TryParseDirection(reader.GetString(), out var direction);
        return direction;
    }

    public override void Write(Utf8JsonWriter writer, CallDirection value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToWire());
}

/// <summary>
/// Call ids come as <c>"c123"</c> from the list and make-call, but Salpre's details page shows them as numbers;
/// both read as text so that either can be passed back.
/// </summary>
public sealed class CallIdConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number
            ? reader.GetInt64().ToString(CultureInfo.InvariantCulture)
            : reader.GetString() ?? throw new JsonException("call_id is null.");

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}

/// <summary>Reads any ISO-8601 instant; writes the API's own form, UTC to the second (<c>2025-10-09T10:41:22Z</c>).</summary>
public sealed class UtcSecondsConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<byte> buffer = stackalloc byte[20];
        value.UtcDateTime.TryFormat(buffer, out var written, Format, CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }
}

/// <summary><see cref="UtcSecondsConverter"/> for optional instants.</summary>
public sealed class NullableUtcSecondsConverter : JsonConverter<DateTimeOffset?>
{
    private static readonly UtcSecondsConverter s_inner = new();

    public override bool HandleNull => true;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : s_inner.Read(ref reader, typeof(DateTimeOffset), options);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } instant)
        {
            s_inner.Write(writer, instant, options);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

/// <summary>Reads any ISO-8601 instant; writes UTC to the millisecond (<c>2026-11-28T01:19:58.412Z</c>), as events and attempts carry it.</summary>
public sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}

/// <summary>
/// An enum of one-word values in lower case on the wire (<c>enabled</c>, <c>succeeded</c>); a value newer than this
/// client reads as the enum's default (its <c>Unknown</c>).
/// </summary>
public sealed class LowercaseEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() is { Length: > 0 } text && char.IsAsciiLetterLower(text[0]) && Enum.TryParse<T>(text, ignoreCase: true, out var value)
            ? value
            : default;

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString().ToLowerInvariant());
}
