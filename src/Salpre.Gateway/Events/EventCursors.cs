using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Salpre.Gateway.Calls;
using Salpre.Storage.Webhooks;

namespace Salpre.Gateway.Events;

/// <summary>Where a feed page resumes: the last event given, the page size, the type filter and the order.</summary>
public sealed record EventCursor(EventPosition After, int PerPage, IReadOnlyList<string> Types, bool NewestFirst = false);

/// <summary>
/// The feed's cursors: opaque and tamper-evident like the list's (signed with the same key and bound to the account),
/// with a first byte of their own so that neither kind passes for the other.
/// </summary>
public sealed class EventCursors(CallCursors calls)
{
    private const byte Oldest = 0xE1;
    private const byte Newest = 0xE2;
    private const int TagLength = 16;

    public string Encode(long accountId, EventCursor cursor)
    {
        var writer = new ArrayBufferWriter<byte>(64);
        var head = writer.GetSpan(18);
        head[0] = cursor.NewestFirst ? Newest : Oldest;
        head[1] = (byte)cursor.PerPage;
        BinaryPrimitives.WriteInt64LittleEndian(head[2..], cursor.After.Tx);
        BinaryPrimitives.WriteInt64LittleEndian(head[10..], cursor.After.Id);
        writer.Advance(18);
        writer.Write(Encoding.UTF8.GetBytes(string.Join(',', cursor.Types)));
        var length = writer.WrittenCount;
        var tag = writer.GetSpan(TagLength)[..TagLength];
        calls.ComputeTag(accountId, writer.WrittenSpan[..length], tag);
        writer.Advance(TagLength);
        return Base64Url.EncodeToString(writer.WrittenSpan);
    }

    public bool TryDecode(long accountId, string text, out EventCursor cursor)
    {
        cursor = null!;
        if (text.Length is 0 or > 1024 || text.Contains('=', StringComparison.Ordinal) || !Base64Url.IsValid(text, out var decodedLength) || decodedLength < 18 + TagLength)
        {
            return false;
        }
        var bytes = new byte[decodedLength];
        if (Base64Url.DecodeFromChars(text, bytes, out _, out var length) != OperationStatus.Done || length < 18 + TagLength)
        {
            return false;
        }
        var payload = bytes.AsSpan(0, length - TagLength);
        Span<byte> expected = stackalloc byte[TagLength];
        calls.ComputeTag(accountId, payload, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(length - TagLength, TagLength)) || payload[0] is not (Oldest or Newest) || payload[1] is < 1 or > 100)
        {
            return false;
        }
        var types = Encoding.UTF8.GetString(payload[18..]);
        cursor = new EventCursor(
            new EventPosition(BinaryPrimitives.ReadInt64LittleEndian(payload[2..]), BinaryPrimitives.ReadInt64LittleEndian(payload[10..])),
            payload[1],
            types.Length == 0 ? [] : types.Split(','),
            payload[0] == Newest);
        return true;
    }
}
