using System.Globalization;
using System.Text;

namespace Kyperian.Domain.Alerts;

/// <summary>
/// Gives the raw fields of a message their meaning through its format's table: each value lands in one field of
/// <see cref="AlertInput"/>, the best-ranked name wins, and every step is recorded as a <see cref="FieldMapping"/>.
/// </summary>
internal static class AlertBinder
{
    private const string NumberShape = "is not a number";
    private const string TimeReason = "must be an ISO-8601 time such as 2026-01-15T14:30:00Z ({{timenow}}) or epoch milliseconds";
    private static readonly int FieldCount = Enum.GetValues<AlertField>().Length;

    public static void Bind(List<RawField> fields, AlertFormat format, AlertDefaults defaults, AlertReaderOptions options, AlertInput input)
    {
        Span<int> ranks = stackalloc int[FieldCount];
        Span<int> mappingAt = stackalloc int[FieldCount];
        ranks.Fill(int.MaxValue);
        mappingAt.Fill(-1);
        string? passphraseFrom = null;
        var unknown = 0;
        input.Mappings = new List<FieldMapping>(fields.Count + 4);

        for (var index = 0; index < fields.Count; index++)
        {
            var raw = fields[index];
            var isPassphrase = raw.IsTopLevel && IsPassphraseField(raw.Key, options);
            format.Aliases.TryGetValue(raw.Key, out var alias);
            if (!isPassphrase && SeenBefore(fields, index))
            {
                var name = alias.Field is { } known ? WireName(known) : Truncate(raw.Display);
                if (!input.HasReadError(name))
                {
                    input.AddReadError(name, "appears more than once");
                }

                continue;
            }

            if (isPassphrase)
            {
                BindPassphrase(raw, ref passphraseFrom, options, input);
                continue;
            }

            if (!format.Aliases.ContainsKey(raw.Key))
            {
                if (++unknown <= AlertReader.MaxUnknownFieldsListed)
                {
                    input.AddUnknownField(Truncate(raw.Display));
                }

                continue;
            }

            if (alias.Field is not { } field)
            {
                input.Mappings.Add(new FieldMapping(raw.Display, null, $"passed through: a {format.Title} field, not ours"));
                continue;
            }

            if (raw.Kind == RawKind.Null)
            {
                continue; // null counts as absent
            }

            var wire = WireName(field);
            var i = (int)field;
            if (alias.Rank == ranks[i])
            {
                if (!input.HasReadError(wire))
                {
                    input.AddReadError(wire, "appears more than once");
                }

                continue;
            }

            if (alias.Rank > ranks[i])
            {
                input.Mappings.Add(new FieldMapping(raw.Display, wire, $"not used: {input.Mappings[mappingAt[i]].From} gives {wire}"));
                continue;
            }

            if (mappingAt[i] >= 0)
            {
                input.Mappings[mappingAt[i]] = input.Mappings[mappingAt[i]] with { Note = $"not used: {raw.Display} gives {wire}" };
            }

            ranks[i] = alias.Rank;
            mappingAt[i] = input.Mappings.Count;
            input.Mappings.Add(new FieldMapping(raw.Display, wire));
            Assign(field, raw, wire, input);
        }

        ApplyDefault(AlertField.Timeframe, "?interval", defaults.Timeframe, ranks, input);
        ApplyDefault(AlertField.Symbol, "?symbol", defaults.Symbol, ranks, input);
        ApplyDefault(AlertField.Confidence, "?confidence", defaults.Confidence, ranks, input);
        ApplyDefault(AlertField.Source, "?source", defaults.Source, ranks, input);
    }

    /// <summary>A handful of fields: comparing with the earlier ones costs less than a set.</summary>
    private static bool SeenBefore(List<RawField> fields, int index)
    {
        var key = fields[index].Key;
        for (var i = 0; i < index; i++)
        {
            if (string.Equals(fields[i].Key, key, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    internal static string WireName(AlertField field) => field switch
    {
        AlertField.Symbol => AlertFields.Symbol,
        AlertField.Action => AlertFields.Action,
        AlertField.Direction => AlertFields.Direction,
        AlertField.MarketPosition => AlertFields.MarketPosition,
        AlertField.PreviousMarketPosition => AlertFields.PreviousMarketPosition,
        AlertField.PositionSize => AlertFields.PositionSize,
        AlertField.Timeframe => AlertFields.Timeframe,
        AlertField.Price => AlertFields.Price,
        AlertField.Confidence => AlertFields.Confidence,
        AlertField.Source => AlertFields.Source,
        AlertField.Id => AlertFields.Id,
        AlertField.Time => AlertFields.Time,
        AlertField.Exchange => AlertFields.Exchange,
        AlertField.Quantity => AlertFields.Quantity,
        AlertField.StopLoss => AlertFields.StopLoss,
        AlertField.TakeProfit => AlertFields.TakeProfit,
        _ => AlertFields.Comment,
    };

    /// <summary>A URL default fills only what the body left empty; the body always wins.</summary>
    private static void ApplyDefault(AlertField field, string from, string? value, Span<int> ranks, AlertInput input)
    {
        if (value is null)
        {
            return;
        }

        var wire = WireName(field);
        if (ranks[(int)field] != int.MaxValue)
        {
            input.Mappings.Add(new FieldMapping(from, wire, $"not used: the body gives {wire}"));
            return;
        }

        ranks[(int)field] = AlertFormats.UrlDefault;
        input.Mappings.Add(new FieldMapping(from, wire));
        Assign(field, new RawField(from, from, RawKind.String, value, IsTopLevel: false), wire, input);
    }

    private static bool IsPassphraseField(string key, AlertReaderOptions options)
    {
        foreach (var name in options.PassphraseKeys)
        {
            if (key.Equals(name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void BindPassphrase(RawField raw, ref string? passphraseFrom, AlertReaderOptions options, AlertInput input)
    {
        if (passphraseFrom is not null)
        {
            if (!input.HasReadError(AlertFields.Passphrase))
            {
                input.AddReadError(AlertFields.Passphrase, $"is given more than once ({JoinNames(options.PassphraseFields)} are one field)");
            }

            return;
        }

        passphraseFrom = raw.Display;
        input.Mappings.Add(new FieldMapping(raw.Display, AlertFields.Passphrase));
        switch (raw.Kind)
        {
            case RawKind.String or RawKind.Number:
                input.Passphrase = raw.AsText;
                break;
            case RawKind.Null:
                break;
            case RawKind.TooLong:
                input.AddReadError(AlertFields.Passphrase, $"is longer than {AlertReader.MaxFieldBytes} bytes");
                break;
            default:
                input.AddReadError(AlertFields.Passphrase, "must be text or a number");
                break;
        }
    }

    private static void Assign(AlertField field, RawField raw, string wire, AlertInput input)
    {
        switch (field)
        {
            case AlertField.Symbol:
                input.Symbol = Text(raw, wire, input);
                break;
            case AlertField.Action:
                input.Action = Text(raw, wire, input);
                break;
            case AlertField.Exchange:
                input.Exchange = Text(raw, wire, input);
                break;
            case AlertField.Comment:
                input.Comment = Text(raw, wire, input);
                break;
            case AlertField.Direction:
                input.Direction = OptionalText(raw, wire, input);
                break;
            case AlertField.MarketPosition:
                input.MarketPosition = OptionalText(raw, wire, input);
                break;
            case AlertField.PreviousMarketPosition:
                input.PreviousMarketPosition = OptionalText(raw, wire, input);
                break;
            case AlertField.Source:
                input.Source = Source(raw, wire, input);
                break;
            case AlertField.Timeframe:
                // {{interval}} is a bare number for minutes; templates often leave it unquoted.
                input.Timeframe = TextOrNumber(raw, wire, input);
                break;
            case AlertField.Id:
                input.Id = TextOrNumber(raw, wire, input);
                break;
            case AlertField.Price:
                input.Price = Amount(raw, wire, input, "; the signal is unpriced");
                break;
            case AlertField.Quantity:
                input.Quantity = Amount(raw, wire, input, string.Empty);
                break;
            case AlertField.StopLoss:
                input.StopLoss = Amount(raw, wire, input, string.Empty);
                break;
            case AlertField.TakeProfit:
                input.TakeProfit = Amount(raw, wire, input, string.Empty);
                break;
            case AlertField.PositionSize:
                input.PositionSize = Amount(raw, wire, input, string.Empty);
                break;
            case AlertField.Confidence:
                input.Confidence = Confidence(raw, wire, input);
                break;
            case AlertField.Time:
                input.Time = Time(raw, wire, input);
                break;
        }
    }

    private static string? Text(RawField raw, string wire, AlertInput input)
    {
        switch (raw.Kind)
        {
            case RawKind.String:
                return raw.Text;
            case RawKind.TooLong:
                input.AddReadError(wire, $"is longer than {AlertReader.MaxFieldBytes} bytes");
                return null;
            default:
                input.AddReadError(wire, "must be text");
                return null;
        }
    }

    /// <summary>Text that only refines the action: another shape is a warning, not a refusal.</summary>
    private static string? OptionalText(RawField raw, string wire, AlertInput input)
    {
        if (raw.Kind == RawKind.String)
        {
            return raw.Text;
        }

        input.AddWarning($"{raw.Display} is not text; {wire} is left out");
        return null;
    }

    private static string? TextOrNumber(RawField raw, string wire, AlertInput input)
    {
        switch (raw.Kind)
        {
            case RawKind.String or RawKind.Number:
                return raw.AsText;
            case RawKind.TooLong:
                input.AddReadError(wire, $"is longer than {AlertReader.MaxFieldBytes} bytes");
                return null;
            default:
                input.AddReadError(wire, "must be text or a number");
                return null;
        }
    }

    /// <summary>A free-text source ("My Strategy v2") is read as its slug rather than refused.</summary>
    private static string? Source(RawField raw, string wire, AlertInput input)
    {
        var text = Text(raw, wire, input);
        if (text is null || IsSlug(text))
        {
            return text;
        }

        var slug = Slugify(text);
        input.AddWarning(slug is null
            ? $"{raw.Display} has no letters or digits to keep; the default source is used"
            : $"{raw.Display} is free text; it is kept as a slug (lower case a-z, 0-9, _ and -, at most {AlertValidator.MaxSourceLength})");
        return slug;
    }

    /// <summary>A number, or a numeric string; any other shape ("None", an object, a percentage) is left out with a warning.</summary>
    private static decimal? Amount(RawField raw, string wire, AlertInput input, string consequence)
    {
        if (raw.Number is { } number)
        {
            return number;
        }

        if (raw.Kind is RawKind.String or RawKind.Number && TryNumber(raw.Text, out var value))
        {
            return value;
        }

        input.AddWarning($"{raw.Display} {NumberShape}; {wire} is left out{consequence}");
        return null;
    }

    private static int? Confidence(RawField raw, string wire, AlertInput input)
    {
        var value = raw.Number ?? 0;
        if ((raw.Number is not null || (raw.Kind is RawKind.String or RawKind.Number && TryNumber(raw.Text, out value)))
            && value == decimal.Truncate(value) && value is >= int.MinValue and <= int.MaxValue)
        {
            return (int)value;
        }

        input.AddReadError(wire, "must be a whole number from 0 to 100");
        return null;
    }

    private static DateTimeOffset? Time(RawField raw, string wire, AlertInput input)
    {
        // Only the form is judged here; how early a time may be is one rule in the validator, whatever the form.
        if (raw.Number is { } number)
        {
            if (number == decimal.Truncate(number) && number is >= 0 and <= 253_402_300_799_999)
            {
                return DateTimeOffset.FromUnixTimeMilliseconds((long)number);
            }
        }
        else if (raw.Kind is RawKind.String or RawKind.Number && raw.Text is { Length: <= 40 } text)
        {
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= 253_402_300_799_999)
            {
                return DateTimeOffset.FromUnixTimeMilliseconds(ms);
            }

            if (raw.Kind == RawKind.String && text.Length >= 10 && text[4] == '-'
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            {
                return time;
            }
        }

        input.AddReadError(wire, TimeReason);
        return null;
    }

    private static bool TryNumber(string? text, out decimal value)
    {
        value = 0;
        return text is { Length: > 0 and <= 64 }
            && decimal.TryParse(
                text,
                NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture,
                out value);
    }

    private static bool IsSlug(string text)
    {
        if (text.Length is 0 or > AlertValidator.MaxSourceLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Slugify(string text)
    {
        var slug = new StringBuilder(AlertValidator.MaxSourceLength);
        foreach (var c in text)
        {
            if (slug.Length == AlertValidator.MaxSourceLength)
            {
                break;
            }

            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                slug.Append(char.ToLowerInvariant(c));
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var result = slug.ToString().TrimEnd('-');
        return result.Length == 0 ? null : result;
    }

    private static string JoinNames(IReadOnlyList<string> names) => names.Count switch
    {
        0 => string.Empty,
        1 => names[0],
        _ => string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1],
    };

    private static string Truncate(string name) => name.Length <= 64 ? name : string.Concat(name.AsSpan(0, 64), "…");
}
