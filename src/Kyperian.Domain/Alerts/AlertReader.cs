using System.Globalization;
using System.Text.Json;

namespace Kyperian.Domain.Alerts;

/// <summary>
/// Reads an alert body in one forward pass over its UTF-8 bytes (no DOM, no reflection), so that a
/// malformed or hostile body costs little and every field's problem can be named at once.
/// </summary>
public static class AlertReader
{
    public const int MaxDepth = 16;
    public const int MaxUnknownFieldsListed = 20;

    /// <summary>Longest text we materialise for any field; longer values are rejected unread.</summary>
    private const int MaxFieldBytes = 2048;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    [Flags]
    private enum Seen
    {
        None = 0,
        Symbol = 1 << 0,
        Action = 1 << 1,
        Timeframe = 1 << 2,
        Price = 1 << 3,
        Confidence = 1 << 4,
        Source = 1 << 5,
        Passphrase = 1 << 6,
        Id = 1 << 7,
        Time = 1 << 8,
        Exchange = 1 << 9,
        Quantity = 1 << 10,
        StopLoss = 1 << 11,
        TakeProfit = 1 << 12,
        Comment = 1 << 13,
    }

    public static AlertInput Read(ReadOnlySpan<byte> utf8)
    {
        var input = new AlertInput();
        // "\uFEFF"u8 is the three bytes EF BB BF; "\xEF\xBB\xBF"u8 would be six (each \x is a char, UTF-8 encoded).
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        if (IsBlank(utf8))
        {
            input.MarkUnreadable("is empty: send the alert message as a JSON object");
            return input;
        }

        try
        {
            ReadObject(utf8, input);
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

        return input;
    }

    private static void ReadObject(ReadOnlySpan<byte> utf8, AlertInput input)
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            input.MarkUnreadable("must be a JSON object such as {\"symbol\":\"BTCUSDT\",...}");
            return;
        }

        var seen = Seen.None;
        HashSet<string>? unknownSeen = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Identify(ref reader, out var name);
            if (!reader.Read())
            {
                throw new JsonException("The body ends inside the object.");
            }

            if (field == Seen.None)
            {
                // Escaped before it is kept: the name goes into warnings, errors and from there into logs.
                var unknown = Printable.Escape(System.Text.Encoding.UTF8.GetString(name));
                reader.Skip();
                unknownSeen ??= new HashSet<string>(StringComparer.Ordinal);
                if (!unknownSeen.Add(unknown))
                {
                    input.AddReadError(Truncate(unknown), "appears more than once");
                }
                else if (unknownSeen.Count <= MaxUnknownFieldsListed)
                {
                    input.AddUnknownField(Truncate(unknown));
                }

                continue;
            }

            var wireName = WireName(field);
            if ((seen & field) != 0)
            {
                input.AddReadError(wireName, field == Seen.Passphrase
                    ? "is given more than once (passphrase, secret and key are one field)"
                    : "appears more than once");
                reader.Skip();
                continue;
            }

            seen |= field;
            ReadValue(ref reader, field, wireName, input);
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("The body ends inside the object.");
        }

        // Anything after the closing brace is not part of one JSON object.
        if (reader.Read())
        {
            throw new JsonException("There is more after the closing brace of the alert object.");
        }
    }

    private static Seen Identify(ref Utf8JsonReader reader, out ReadOnlySpan<byte> name)
    {
        // The reader runs over one contiguous span, so values are never split across segments.
        name = reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;

        return name switch
        {
            _ when name.SequenceEqual("symbol"u8) || name.SequenceEqual("ticker"u8) => Seen.Symbol,
            _ when name.SequenceEqual("action"u8) || name.SequenceEqual("side"u8) => Seen.Action,
            _ when name.SequenceEqual("timeframe"u8) || name.SequenceEqual("interval"u8) => Seen.Timeframe,
            _ when name.SequenceEqual("price"u8) => Seen.Price,
            _ when name.SequenceEqual("confidence"u8) => Seen.Confidence,
            _ when name.SequenceEqual("source"u8) => Seen.Source,
            _ when name.SequenceEqual("passphrase"u8) || name.SequenceEqual("secret"u8) || name.SequenceEqual("key"u8) => Seen.Passphrase,
            _ when name.SequenceEqual("id"u8) => Seen.Id,
            _ when name.SequenceEqual("time"u8) => Seen.Time,
            _ when name.SequenceEqual("exchange"u8) => Seen.Exchange,
            _ when name.SequenceEqual("quantity"u8) => Seen.Quantity,
            _ when name.SequenceEqual("stopLoss"u8) => Seen.StopLoss,
            _ when name.SequenceEqual("takeProfit"u8) => Seen.TakeProfit,
            _ when name.SequenceEqual("comment"u8) => Seen.Comment,
            _ => Seen.None,
        };
    }

    private static string WireName(Seen field) => field switch
    {
        Seen.Symbol => AlertFields.Symbol,
        Seen.Action => AlertFields.Action,
        Seen.Timeframe => AlertFields.Timeframe,
        Seen.Price => AlertFields.Price,
        Seen.Confidence => AlertFields.Confidence,
        Seen.Source => AlertFields.Source,
        Seen.Passphrase => AlertFields.Passphrase,
        Seen.Id => AlertFields.Id,
        Seen.Time => AlertFields.Time,
        Seen.Exchange => AlertFields.Exchange,
        Seen.Quantity => AlertFields.Quantity,
        Seen.StopLoss => AlertFields.StopLoss,
        Seen.TakeProfit => AlertFields.TakeProfit,
        _ => AlertFields.Comment,
    };

    private static void ReadValue(ref Utf8JsonReader reader, Seen field, string wireName, AlertInput input)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        switch (field)
        {
            case Seen.Symbol:
                input.Symbol = ReadText(ref reader, wireName, input, allowNumber: false);
                break;
            case Seen.Action:
                input.Action = ReadText(ref reader, wireName, input, allowNumber: false);
                break;
            case Seen.Timeframe:
                // {{interval}} is a bare number for minutes; templates often leave it unquoted.
                input.Timeframe = ReadText(ref reader, wireName, input, allowNumber: true);
                break;
            case Seen.Source:
                input.Source = ReadText(ref reader, wireName, input, allowNumber: false);
                break;
            case Seen.Passphrase:
                input.Passphrase = ReadText(ref reader, wireName, input, allowNumber: true);
                break;
            case Seen.Id:
                input.Id = ReadText(ref reader, wireName, input, allowNumber: true);
                break;
            case Seen.Exchange:
                input.Exchange = ReadText(ref reader, wireName, input, allowNumber: false);
                break;
            case Seen.Comment:
                input.Comment = ReadText(ref reader, wireName, input, allowNumber: false);
                break;
            case Seen.Price:
                input.Price = ReadDecimal(ref reader, wireName, input);
                break;
            case Seen.Quantity:
                input.Quantity = ReadDecimal(ref reader, wireName, input);
                break;
            case Seen.StopLoss:
                input.StopLoss = ReadDecimal(ref reader, wireName, input);
                break;
            case Seen.TakeProfit:
                input.TakeProfit = ReadDecimal(ref reader, wireName, input);
                break;
            case Seen.Confidence:
                input.Confidence = ReadConfidence(ref reader, wireName, input);
                break;
            case Seen.Time:
                input.Time = ReadTime(ref reader, wireName, input);
                break;
        }
    }

    private static string? ReadText(ref Utf8JsonReader reader, string field, AlertInput input, bool allowNumber)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String when reader.ValueSpan.Length > MaxFieldBytes:
                input.AddReadError(field, $"is longer than {MaxFieldBytes} bytes");
                return null;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number when allowNumber:
                return System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            default:
                input.AddReadError(field, allowNumber ? "must be text or a number" : "must be text");
                reader.Skip();
                return null;
        }
    }

    private static decimal? ReadDecimal(ref Utf8JsonReader reader, string field, AlertInput input)
    {
        if (TryReadNumber(ref reader, out var value))
        {
            return value;
        }

        input.AddReadError(field, "must be a finite number greater than 0, or a numeric string");
        return null;
    }

    private static int? ReadConfidence(ref Utf8JsonReader reader, string field, AlertInput input)
    {
        if (TryReadNumber(ref reader, out var value) && value == decimal.Truncate(value) && value is >= int.MinValue and <= int.MaxValue)
        {
            return (int)value;
        }

        input.AddReadError(field, "must be a whole number from 0 to 100");
        return null;
    }

    private static bool TryReadNumber(ref Utf8JsonReader reader, out decimal value)
    {
        value = 0;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetDecimal(out value);
            case JsonTokenType.String when reader.ValueSpan.Length <= 64:
                Span<char> text = stackalloc char[64];
                var length = reader.CopyString(text);
                return decimal.TryParse(
                    text[..length],
                    NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign | NumberStyles.AllowExponent,
                    CultureInfo.InvariantCulture,
                    out value);
            default:
                reader.Skip();
                return false;
        }
    }

    private static DateTimeOffset? ReadTime(ref Utf8JsonReader reader, string field, AlertInput input)
    {
        // Only the form is judged here; how early a time may be is one rule in the validator, whatever the form.
        const string reason = "must be an ISO-8601 time such as 2026-01-15T14:30:00Z ({{timenow}}) or epoch milliseconds";
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out var ms) && IsEpochMilliseconds(ms):
                return DateTimeOffset.FromUnixTimeMilliseconds(ms);
            case JsonTokenType.String when reader.ValueSpan.Length <= 40:
                Span<char> text = stackalloc char[40];
                var length = reader.CopyString(text);
                var span = text[..length];
                if (long.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out var textMs) && IsEpochMilliseconds(textMs))
                {
                    return DateTimeOffset.FromUnixTimeMilliseconds(textMs);
                }

                if (DateTimeOffset.TryParse(span, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
                    && span.Length >= 10 && span[4] == '-')
                {
                    return time;
                }

                break;
            default:
                reader.Skip();
                break;
        }

        input.AddReadError(field, reason);
        return null;
    }

    private static bool IsEpochMilliseconds(long ms) => ms is >= 0 and <= 253_402_300_799_999; // to 9999-12-31

    private static bool IsBlank(ReadOnlySpan<byte> utf8) => utf8.Trim(" \t\r\n"u8).IsEmpty;

    private static string Truncate(string name) => name.Length <= 64 ? name : string.Concat(name.AsSpan(0, 64), "…");

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
