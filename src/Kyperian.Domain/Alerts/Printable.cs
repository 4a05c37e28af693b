using System.Globalization;
using System.Text;

namespace Kyperian.Domain.Alerts;

/// <summary>
/// Makes request text safe to put in a log line or an error message: control, bidi and zero-width characters
/// become <c>\uXXXX</c>, so a crafted field name or id cannot forge a log line or hide what it says.
/// </summary>
public static class Printable
{
    public const int DefaultMaxLength = 80;

    public static string Escape(string? text, int maxLength = DefaultMaxLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var clipped = text.Length > maxLength ? text.AsSpan(0, maxLength) : text.AsSpan();
        if (!clipped.ContainsAny(Unsafe) && clipped.Length == text.Length)
        {
            return text;
        }

        var builder = new StringBuilder(clipped.Length + 16);
        foreach (var c in clipped)
        {
            if (IsUnsafe(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        if (clipped.Length < text.Length)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }

    /// <summary>True when the text holds a character <see cref="Escape"/> would escape.</summary>
    public static bool HasUnsafe(ReadOnlySpan<char> text) => text.ContainsAny(Unsafe) || text.ContainsAnyInRange('\u0080', '\u009F');

    /// <summary>Control characters, bidi overrides and isolates, and zero-width characters.</summary>
    public static bool IsUnsafe(char c) => char.IsControl(c) || Unsafe.Contains(c);

    private static readonly System.Buffers.SearchValues<char> Unsafe = System.Buffers.SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F"
        + "\u0080\u0085\u009B"
        + "\u061C\u200B\u200C\u200D\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2060\u2066\u2067\u2068\u2069\uFEFF");
}
