using System.Text;

namespace Kyperian.Domain;

/// <summary>
/// Makes request text safe to echo in a log line or an error: control characters, bidi controls and zero-width
/// characters become visible escapes, so a field name cannot forge a log line, colour a terminal or reorder text.
/// </summary>
public static class Printable
{
    /// <summary>The text unchanged when it is already printable, else with every hidden character escaped.</summary>
    public static string Escape(string text)
    {
        var first = IndexOfHidden(text);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!IsHidden(c))
            {
                builder.Append(c);
                continue;
            }

            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ => builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture)),
            };
        }

        return builder.ToString();
    }

    /// <summary>True when the text holds a control, bidi or zero-width character.</summary>
    public static bool HasHidden(ReadOnlySpan<char> text) => IndexOfHidden(text) >= 0;

    /// <summary>
    /// Control characters (C0, DEL, C1), the bidi embeddings, overrides, isolates and marks
    /// (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) and the zero-width characters
    /// (U+200B–U+200D, U+2060, U+FEFF): none is visible, all of them change what a reader sees.
    /// </summary>
    public static bool IsHidden(char c) =>
        char.IsControl(c)
        || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C'
        || c is (>= '\u200B' and <= '\u200D') or '\u2060' or '\uFEFF';

    private static int IndexOfHidden(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsHidden(text[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
