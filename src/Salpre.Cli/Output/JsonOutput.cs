using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

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
}
