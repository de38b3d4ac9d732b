using Salpre.Storage.Webhooks;

namespace Salpre.Gateway.Events;

/// <summary>
/// Event ids are <c>evt_</c> and 26 characters of Crockford base32 (a 128-bit position: the writing transaction and
/// the row), so they sort as the feed does and any of them says where the feed resumes, even once it is forgotten.
/// </summary>
public static class EventIds
{
    public const string Prefix = "evt_";
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int Length = 26;

    public static string Format(EventPosition position)
    {
        var value = ((UInt128)(ulong)position.Tx << 64) | (ulong)position.Id;
        return string.Create(Prefix.Length + Length, value, static (text, value) =>
        {
            Prefix.CopyTo(text);
            for (var i = text.Length - 1; i >= Prefix.Length; i--)
            {
                text[i] = Alphabet[(int)(value & 31)];
                value >>= 5;
            }
        });
    }

    public static bool TryParse(ReadOnlySpan<char> text, out EventPosition position)
    {
        position = default;
        if (text.Length != Prefix.Length + Length || !text.StartsWith(Prefix) || text[Prefix.Length] > '7')
        {
            return false;
        }
        UInt128 value = 0;
        foreach (var c in text[Prefix.Length..])
        {
            var digit = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0)
            {
                return false;
            }
            value = (value << 5) | (uint)digit;
        }
        var (tx, id) = ((long)(ulong)(value >> 64), (long)(ulong)value);
        if (tx < 0 || id < 0)
        {
            return false;
        }
        position = new EventPosition(tx, id);
        return true;
    }
}
