using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Salpre.Client.Serialization;

namespace Salpre.Client;

/// <summary>
/// Calls as NDJSON, one call object a line in the API's own form (details with their recording, transcript and
/// variables; fields the client does not know included), as the gateway's <c>import</c> reads it. Lines are gathered
/// in a buffer and written to the stream in large blocks.
/// </summary>
internal sealed class CallNdjson(Stream stream) : IAsyncDisposable
{
    private const int FlushThreshold = 1 << 16;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold * 2);
    private Utf8JsonWriter? _json;

    public async ValueTask WriteAsync(Call call, CancellationToken cancellationToken)
    {
        _json ??= new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        if (call is CallDetails details)
        {
            JsonSerializer.Serialize(_json, details, SalpreJsonContext.Default.CallDetails);
        }
        else
        {
            JsonSerializer.Serialize(_json, call, SalpreJsonContext.Default.Call);
        }
        _json.Flush();
        _json.Reset(_buffer);
        _buffer.Write("\n"u8);
        if (_buffer.WrittenCount >= FlushThreshold)
        {
            await FlushAsync(cancellationToken);
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_buffer.WrittenMemory, cancellationToken);
        _buffer.ResetWrittenCount();
    }

    public ValueTask DisposeAsync()
    {
        _json?.Dispose();
        return ValueTask.CompletedTask;
    }
}
