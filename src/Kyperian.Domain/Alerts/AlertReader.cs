using System.Text;
using System.Text.Json;

namespace Kyperian.Domain.Alerts;

internal enum RawKind
{
    String,
    Number,
    Bool,
    Null,

    /// <summary>An array, or an object that is not part of any format: present, but not a value we read.</summary>
    Other,

    /// <summary>Text longer than the reader materialises.</summary>
    TooLong,
}

/// <summary>One value as found in the message, before any format gives it a meaning.</summary>
/// <param name="Key">Normalized lookup key: lower case, <c>-</c> as <c>_</c>, nested objects joined by dots.</param>
/// <param name="Display">Where it was found, as the trader wrote it (escaped): used in mappings, warnings and errors.</param>
/// <param name="Kind">What JSON (or text) value it is.</param>
/// <param name="Text">A string value as sent; a number's text only when it does not fit a decimal.</param>
/// <param name="IsTopLevel">Only a top-level field can be our passphrase.</param>
/// <param name="Number">A JSON number's value when it fits a decimal; its text is then made only if a field needs text.</param>
internal readonly record struct RawField(string Key, string Display, RawKind Kind, string? Text, bool IsTopLevel, decimal? Number = null)
{
    /// <summary>The value as text: a string as sent, a number in its invariant form.</summary>
    public string? AsText => Text ?? Number?.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Reads an alert body in any known format into one <see cref="AlertInput"/>. JSON is read in one forward pass over
/// its UTF-8 bytes (no DOM, no reflection), so a malformed or hostile body costs little and every field's problem can
/// be named at once; text formats are tried when the body is not a JSON object.
/// </summary>
public static class AlertReader
{
    public const int MaxDepth = 16;
    public const int MaxUnknownFieldsListed = 20;

    /// <summary>Longest text we materialise for any field; longer values are rejected unread.</summary>
    internal const int MaxFieldBytes = 2048;

    /// <summary>Deepest template object we read into (<c>strategy.order.action</c> is two).</summary>
    private const int MaxContainerDepth = 3;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    [ThreadStatic]
    private static List<RawField>? t_fields;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static AlertInput Read(ReadOnlySpan<byte> utf8) => Read(utf8, AlertDefaults.None, AlertReaderOptions.Default);

    /// <param name="utf8">The body as sent.</param>
    /// <param name="defaults">What the URL supplies for fields the body lacks.</param>
    /// <param name="options">Which body fields are our passphrase.</param>
    public static AlertInput Read(ReadOnlySpan<byte> utf8, AlertDefaults defaults, AlertReaderOptions options)
    {
        var input = new AlertInput();
        // "\uFEFF"u8 is the three bytes EF BB BF; "\xEF\xBB\xBF"u8 would be six (each \x is a char, UTF-8 encoded).
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        var trimmed = utf8.Trim(" \t\r\n"u8);
        if (trimmed.IsEmpty)
        {
            input.MarkUnreadable("is empty: send the alert message as a JSON object");
            return input;
        }

        AlertFormat? forced = null;
        if (defaults.Format is not null)
        {
            forced = AlertFormats.Find(defaults.Format);
            if (forced is null)
            {
                input.MarkUnreadable($"must be one of {AlertFormats.Names}", AlertFields.Format);
                return input;
            }
        }

        // One list per thread, reused: the raw fields never outlive this call.
        var fields = t_fields ?? new List<RawField>(32);
        t_fields = null;
        try
        {
            Read(utf8, trimmed, forced, defaults, options, fields, input);
        }
        finally
        {
            fields.Clear();
            t_fields = fields;
        }

        return input;
    }

    private static void Read(
        ReadOnlySpan<byte> utf8,
        ReadOnlySpan<byte> trimmed,
        AlertFormat? forced,
        AlertDefaults defaults,
        AlertReaderOptions options,
        List<RawField> fields,
        AlertInput input)
    {
        AlertFormat format;
        if (trimmed[0] == (byte)'{' && forced is not { Kind: AlertBodyKind.Text })
        {
            if (!ReadJson(utf8, fields, input))
            {
                return;
            }

            format = forced ?? AlertFormats.RecognizeJson(fields);
        }
        else
        {
            string text;
            try
            {
                text = StrictUtf8.GetString(trimmed);
            }
            catch (DecoderFallbackException)
            {
                input.MarkUnreadable("holds text that is not valid UTF-8: send the alert message as UTF-8");
                return;
            }

            var recognised = AlertTextFormats.TryRead(text, forced, fields);
            if (recognised is null)
            {
                input.MarkUnreadable(DescribeUnrecognised(utf8, forced));
                return;
            }

            format = recognised;
        }

        input.Format = format;
        AlertBinder.Bind(fields, format, defaults, options, input);
    }

    /// <returns>False when the body is not one readable JSON object (the input is then marked unreadable).</returns>
    private static bool ReadJson(ReadOnlySpan<byte> utf8, List<RawField> fields, AlertInput input)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                input.MarkUnreadable("must be a JSON object such as {\"symbol\":\"BTCUSDT\",...}");
                return false;
            }

            ReadObject(ref reader, fields, keyPrefix: string.Empty, displayPrefix: string.Empty, depth: 0);

            // Anything after the closing brace is not part of one JSON object.
            if (reader.Read())
            {
                throw new JsonException("There is more after the closing brace of the alert object.");
            }

            return true;
        }
        catch (JsonException ex)
        {
            input.MarkUnreadable(DescribeJsonError(ex));
        }
        catch (InvalidOperationException)
        {
            // Reading text throws this, not JsonException, for bytes that are not UTF-8 and for a lone \uD800-style escape.
            input.MarkUnreadable("holds text that is not valid UTF-8 (or a broken \\u escape): send the alert message as UTF-8 JSON");
        }

        return false;
    }

    private static void ReadObject(ref Utf8JsonReader reader, List<RawField> fields, string keyPrefix, string displayPrefix, int depth)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var (key, display) = Name(ref reader, keyPrefix, displayPrefix);
            if (!reader.Read())
            {
                throw new JsonException("The body ends inside the object.");
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject when depth < MaxContainerDepth && AlertFormats.Containers.Contains(key):
                    ReadObject(ref reader, fields, key + ".", display + ".", depth + 1);
                    break;
                case JsonTokenType.String when reader.ValueSpan.Length > MaxFieldBytes:
                    fields.Add(new RawField(key, display, RawKind.TooLong, null, depth == 0));
                    break;
                case JsonTokenType.String:
                    fields.Add(new RawField(key, display, RawKind.String, reader.GetString(), depth == 0));
                    break;
                case JsonTokenType.Number when reader.TryGetDecimal(out var number):
                    fields.Add(new RawField(key, display, RawKind.Number, null, depth == 0, number));
                    break;
                case JsonTokenType.Number:
                    fields.Add(new RawField(key, display, RawKind.Number, Encoding.UTF8.GetString(reader.ValueSpan), depth == 0));
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    fields.Add(new RawField(key, display, RawKind.Bool, null, depth == 0));
                    break;
                case JsonTokenType.Null:
                    fields.Add(new RawField(key, display, RawKind.Null, null, depth == 0));
                    break;
                default:
                    reader.Skip();
                    fields.Add(new RawField(key, display, RawKind.Other, null, depth == 0));
                    break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("The body ends inside the object.");
        }
    }

    /// <summary>A property's lookup key and display name; a name the formats know costs no allocation at the top level.</summary>
    private static (string Key, string Display) Name(ref Utf8JsonReader reader, string keyPrefix, string displayPrefix)
    {
        if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= 64)
        {
            Span<char> chars = stackalloc char[64];
            if (Encoding.UTF8.TryGetChars(reader.ValueSpan, chars, out var length)
                && AlertFormats.KnownNames.TryGetValue(chars[..length], out var spelling, out var normalized))
            {
                return keyPrefix.Length == 0 ? (normalized, spelling) : (keyPrefix + normalized, displayPrefix + spelling);
            }
        }

        var name = reader.GetString()!;
        return (keyPrefix + AlertFormats.NormalizeKey(name), displayPrefix + Printable.Escape(name));
    }

    private static string DescribeUnrecognised(ReadOnlySpan<byte> utf8, AlertFormat? forced)
    {
        if (forced is not null)
        {
            return $"is not a {forced.Title} message: check the message, or drop ?format= to let Kyperian recognise it";
        }

        // Valid JSON that is not an object (an array, a string, a number) deserves the JSON answer.
        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            if (reader.Read())
            {
                reader.Skip();
                if (!reader.Read())
                {
                    return "must be a JSON object such as {\"symbol\":\"BTCUSDT\",...}";
                }
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
        }

        return "is not a JSON object or a known text format: send JSON such as {\"symbol\":\"{{ticker}}\",\"action\":\"{{strategy.order.action}}\"}, "
            + "KEY=VALUE pairs (symbol={{ticker}} action=buy), PineConnector's LicenseID,buy,SYMBOL or TradingView's default strategy message";
    }

    private static string DescribeJsonError(JsonException ex)
    {
        var where = ex.LineNumber is { } line && ex.BytePositionInLine is { } column
            ? $" (line {line + 1}, byte {column + 1})"
            : string.Empty;
        // Only "The maximum configured depth of N has been exceeded"; a body cut short fails with
        // "Expected depth to be zero at the end of the JSON payload", which is not too deep but unfinished.
        var what = ex.Message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase)
            ? $"nests deeper than {MaxDepth} levels"
            : "is not valid JSON";
        return $"{what}{where}: TradingView sends the alert message as text/plain when it is not valid JSON; check quotes, commas and braces";
    }
}
