using System.Text.Json;

namespace Salpre.Gateway.Hosting;

/// <summary>
/// The one gate for text that reaches storage, from every edge (JSON, forms, query strings, import files, admin
/// commands): only whole Unicode scalar values, so that whatever is stored can be rendered back exactly and both
/// stores take the same inputs (PostgreSQL refuses NUL, SQLite keeps it). Free text (transcripts, details, the strings
/// of variables) may hold tab, CR and LF; names and identifiers hold no control character at all.
/// </summary>
public static class TextRules
{
    /// <summary>Unicode without lone surrogates, and no C0 control but tab, CR and LF.</summary>
    public static bool IsFreeText(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAnyInRange('\0', '\u001f') < 0 && text.IndexOfAnyInRange('\ud800', '\udfff') < 0)
        {
            return true; // the common case, checked by vectorised searches
        }
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < ' ' && c is not ('\t' or '\r' or '\n'))
            {
                return false;
            }
            if (char.IsSurrogate(c) && !IsPairAt(text, i++))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Unicode without lone surrogates and without control characters (C0, DEL, C1).</summary>
    public static bool IsName(ReadOnlySpan<char> text) =>
        text.IndexOfAnyInRange('\0', '\u001f') < 0 && text.IndexOfAnyInRange('\u007f', '\u009f') < 0 && IsFreeText(text);

    /// <summary>
    /// Every string of a JSON value is readable and clean: property names as names, string values as free text; and no
    /// object names a property twice (it would be rendered back with one of its values only).
    /// System.Text.Json keeps escaped lone surrogates and invalid UTF-8 inside a parsed document and only fails when
    /// the string is read, so each one is read here, before anything is stored.
    /// </summary>
    public static bool IsCleanJson(JsonElement element)
    {
        try
        {
            return IsClean(element);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsClean(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => IsFreeText(element.GetString()),
        JsonValueKind.Object => HasCleanUniqueNames(element) && element.EnumerateObject().All(property => IsClean(property.Value)),
        JsonValueKind.Array => element.EnumerateArray().All(IsClean),
        _ => true,
    };

    /// <summary>The names of an object's properties are names, each one once (compared as decoded, ordinal).</summary>
    private static bool HasCleanUniqueNames(JsonElement element)
    {
        HashSet<string>? seen = null;
        foreach (var property in element.EnumerateObject())
        {
            if (!IsName(property.Name) || !(seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(property.Name))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsPairAt(ReadOnlySpan<char> text, int i) =>
        char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
}
