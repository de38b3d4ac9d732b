using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Salpre.Client;

namespace Salpre.Cli.Output;

/// <summary>Indented JSON on a text writer (stdout), written through <see cref="Utf8JsonWriter"/> and the client's source-generated types.</summary>
public static class JsonOutput
{
    /// <summary>Escapes what JSON needs, no more: a file or terminal is no HTML page, and "+90..." should read as such.</summary>
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static async Task WriteAsync(TextWriter writer, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = Encoder }))
        {
            write(json);
        }
        await writer.WriteLineAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>A page of a list paged by cursor, in the API's own shape: <c>{"data":[...],"meta":{per_page, has_next, next_cursor}}</c>.</summary>
    public static Task WritePageAsync<T>(TextWriter writer, CursorPage<T> page, JsonTypeInfo<List<T>> items) =>
        WriteAsync(writer, json =>
        {
            json.WriteStartObject();
            json.WritePropertyName("data");
            JsonSerializer.Serialize(json, [.. page.Items], items);
            json.WriteStartObject("meta");
            json.WriteNumber("per_page", page.PerPage);
            json.WriteBoolean("has_next", page.HasNext);
            json.WriteString("next_cursor", page.NextCursor);
            json.WriteEndObject();
            json.WriteEndObject();
        });

    /// <summary>What stderr says under a page for people: how many, and how to go on.</summary>
    public static string PageSummary<T>(CursorPage<T> page, string one, string many) =>
        $"{page.Items.Count} {(page.Items.Count == 1 ? one : many)}." + (page.NextCursor is { } next ? $" Next page: --cursor {next}" : "");
}
