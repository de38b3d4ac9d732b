using System.Text.Json;
using System.Text.Json.Serialization;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Hosting;

/// <summary>Writes a call status by its contract name (<c>in-progress</c>, <c>no-answer</c>...).</summary>
public sealed class CallStatusConverter : JsonConverter<CallStatus>
{
    private static readonly JsonEncodedText[] s_names =
        [.. Enumerable.Range(0, CallStatuses.Count).Select(i => JsonEncodedText.Encode(((CallStatus)i).ToWire()))];

    public override CallStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        CallStatuses.TryParse(reader.GetString(), out CallStatus status) ? status : throw new JsonException("Unknown call status.");

    public override void Write(Utf8JsonWriter writer, CallStatus value, JsonSerializerOptions options) =>
        writer.WriteStringValue(s_names[(int)value]);
}

public sealed class CallDirectionConverter : JsonConverter<CallDirection>
{
    private static readonly JsonEncodedText s_outbound = JsonEncodedText.Encode("outbound");
    private static readonly JsonEncodedText s_inbound = JsonEncodedText.Encode("inbound");

    public override CallDirection Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        CallStatuses.TryParse(reader.GetString(), out CallDirection direction) ? direction : throw new JsonException("Unknown call direction.");

    public override void Write(Utf8JsonWriter writer, CallDirection value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value == CallDirection.Outbound ? s_outbound : s_inbound);
}
