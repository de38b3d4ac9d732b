using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Salpre.Storage.Calls;

namespace Salpre.Gateway.Calls;

/// <summary>Where a cursor resumes: the next page's number and size, its order and filter, and the last call seen.</summary>
public sealed record CursorState(long Page, int PerPage, bool Ascending, CallPosition After, CallFilter Filter);

/// <summary>
/// Cursors are opaque to clients: a compact binary state, base64url-encoded, with an HMAC-SHA256 tag over the state
/// and the account it was issued to. A changed byte, or another account's cursor, fails verification. The key lives
/// in the database, so every gateway node on it reads the same cursors.
/// </summary>
public sealed class CallCursors
{
    private const byte Version = 1;
    private const int TagLength = 16;
    private const int MaxEncodedLength = 4096;

    private byte[]? _key;

    // One HMAC state per thread, reset after each use: creating one per cursor costs more than the hashing.
    [ThreadStatic]
    private static IncrementalHash? s_threadHmac;
    [ThreadStatic]
    private static byte[]? s_threadHmacKey;

    public void UseKey(byte[] key) => _key = key;

    public string Encode(long accountId, CursorState state)
    {
        var writer = new ArrayBufferWriter<byte>(64);
        Write(writer, Version);
        Write(writer, state.Ascending ? (byte)1 : (byte)0);
        Write(writer, (byte)state.PerPage);
        WriteInt64(writer, state.Page);
        WriteInt64(writer, state.After.StartedAt);
        WriteInt64(writer, state.After.CallNum);
        WriteFilter(writer, state.Filter);

        var payloadLength = writer.WrittenCount;
        var tag = writer.GetSpan(TagLength)[..TagLength];
        ComputeTag(accountId, writer.WrittenSpan[..payloadLength], tag);
        writer.Advance(TagLength);
        return Base64Url.EncodeToString(writer.WrittenSpan);
    }

    public bool TryDecode(long accountId, string text, out CursorState state)
    {
        state = null!;
        // Cursors are written without padding: a text with '=' is another spelling, not ours. IsValid first for the
        // length; then the decoder's status, not its exceptions (some texts IsValid passes make DecodeFromChars throw).
        if (text.Length is 0 or > MaxEncodedLength || text.Contains('=', StringComparison.Ordinal)
            || !Base64Url.IsValid(text, out var decodedLength) || decodedLength < TagLength + 27)
        {
            return false;
        }
        var bytes = new byte[decodedLength];
        if (Base64Url.DecodeFromChars(text, bytes, out _, out var length) != System.Buffers.OperationStatus.Done || length < TagLength + 27)
        {
            return false;
        }
        var payload = bytes.AsSpan(0, length - TagLength);
        Span<byte> expected = stackalloc byte[TagLength];
        ComputeTag(accountId, payload, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(length - TagLength, TagLength)))
        {
            return false;
        }

        var reader = new SpanReader(payload);
        if (reader.Byte() != Version)
        {
            return false;
        }
        var ascending = reader.Byte() == 1;
        int perPage = reader.Byte();
        var page = reader.Int64();
        var after = new CallPosition(reader.Int64(), reader.Int64());
        var filter = ReadFilter(ref reader);
        if (!reader.Ok || !reader.AtEnd || perPage is < 1 or > 100 || page < 2)
        {
            return false;
        }
        state = new CursorState(page, perPage, ascending, after, filter);
        return true;
    }

    internal void ComputeTag(long accountId, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        var key = _key ?? throw new InvalidOperationException("The cursor key has not been loaded.");
        if (s_threadHmac is null || !ReferenceEquals(s_threadHmacKey, key))
        {
            s_threadHmac?.Dispose();
            s_threadHmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
            s_threadHmacKey = key;
        }
        var hmac = s_threadHmac;
        Span<byte> account = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(account, accountId);
        hmac.AppendData(account);
        hmac.AppendData(payload);
        Span<byte> full = stackalloc byte[32];
        hmac.GetHashAndReset(full);
        full[..TagLength].CopyTo(destination);
    }

    private static void WriteFilter(ArrayBufferWriter<byte> writer, CallFilter filter)
    {
        WriteInt64(writer, filter.StatusMask);
        Write(writer, filter.Direction is { } direction ? (byte)direction : byte.MaxValue);
        WriteInt64(writer, filter.AgentIds.Count);
        foreach (var agent in filter.AgentIds)
        {
            WriteInt64(writer, agent);
        }
        WriteString(writer, filter.To);
        WriteString(writer, filter.From);
        WriteOptional(writer, filter.StartedAtOrAfter);
        WriteOptional(writer, filter.StartedBefore);
        WriteOptional(writer, filter.MinDuration);
        WriteOptional(writer, filter.MaxDuration);
    }

    private static CallFilter ReadFilter(ref SpanReader reader)
    {
        var statusMask = reader.Int64();
        var direction = reader.Byte();
        var agentCount = reader.Int64();
        if (agentCount is < 0 or > CallFilterParameters.MaxListItems)
        {
            reader.Fail();
            return CallFilter.None;
        }
        var agents = new long[agentCount];
        for (var i = 0; i < agents.Length; i++)
        {
            agents[i] = reader.Int64();
        }
        return new CallFilter
        {
            StatusMask = (int)statusMask,
            Direction = direction == byte.MaxValue ? null : (CallDirection)direction,
            AgentIds = agents,
            To = reader.String(),
            From = reader.String(),
            StartedAtOrAfter = reader.Optional(),
            StartedBefore = reader.Optional(),
            MinDuration = reader.Optional(),
            MaxDuration = reader.Optional(),
        };
    }

    private static void Write(ArrayBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    private static void WriteInt64(ArrayBufferWriter<byte> writer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    private static void WriteOptional(ArrayBufferWriter<byte> writer, long? value)
    {
        Write(writer, value is null ? (byte)0 : (byte)1);
        if (value is { } present)
        {
            WriteInt64(writer, present);
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string? value)
    {
        if (value is null)
        {
            WriteInt64(writer, -1);
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteInt64(writer, bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>Reads a payload without ever throwing: a short or odd payload just marks the read as failed.</summary>
    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public bool Ok { get; private set; } = true;
        public readonly bool AtEnd => _rest.IsEmpty;

        public void Fail() => Ok = false;

        public byte Byte()
        {
            if (_rest.Length < 1) { Ok = false; return 0; }
            var value = _rest[0];
            _rest = _rest[1..];
            return value;
        }

        public long Int64()
        {
            if (_rest.Length < 8) { Ok = false; return 0; }
            var value = BinaryPrimitives.ReadInt64LittleEndian(_rest);
            _rest = _rest[8..];
            return value;
        }

        public long? Optional() => Byte() == 1 ? Int64() : null;

        public string? String()
        {
            var length = Int64();
            if (length == -1) return null;
            if (length < 0 || length > _rest.Length) { Ok = false; return null; }
            var value = Encoding.UTF8.GetString(_rest[..(int)length]);
            _rest = _rest[(int)length..];
            return value;
        }
    }
}
