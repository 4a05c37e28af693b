using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kyperian.Domain.Signals;

/// <summary>
/// A traded instrument as TradingView names it (<c>BTCUSDT</c>, <c>ES1!</c>, <c>EUR/USD</c>), upper case,
/// without the exchange prefix: signals for <c>BINANCE:BTCUSDT</c> and <c>BTCUSDT</c> share one symbol.
/// </summary>
[JsonConverter(typeof(SymbolJsonConverter))]
public readonly record struct Symbol
{
    public const int MaxLength = 40;

    private Symbol(string value) => Value = value;

    public string Value { get; }

    public override string ToString() => Value;

    /// <summary>Parses a raw symbol; a <c>PREFIX:</c> is split off as the exchange.</summary>
    public static bool TryParse(
        string? raw,
        out Symbol symbol,
        out string? exchange,
        [NotNullWhen(false)] out string? error)
    {
        symbol = default;
        exchange = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            error = "is required";
            return false;
        }

        if (raw.Length > MaxLength)
        {
            error = $"must be 1 to {MaxLength} characters";
            return false;
        }

        foreach (var c in raw)
        {
            if (!IsAllowed(c))
            {
                error = "may contain only letters, digits and . : _ / ! -";
                return false;
            }
        }

        var span = raw.AsSpan();
        var colon = span.IndexOf(':');
        if (colon >= 0)
        {
            if (colon == 0 || colon == span.Length - 1 || span[(colon + 1)..].Contains(':'))
            {
                error = "must be TICKER or EXCHANGE:TICKER";
                return false;
            }

            exchange = raw[..colon].ToUpperInvariant();
            span = span[(colon + 1)..];
        }

        symbol = new Symbol(ToUpper(span));
        error = null;
        return true;
    }

    /// <summary>Rebuilds a symbol already normalized and stored by us.</summary>
    public static Symbol FromTrusted(string value) => new(value);

    private static bool IsAllowed(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '.' or ':' or '_' or '/' or '!' or '-';

    private static string ToUpper(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (char.IsAsciiLetterLower(c))
            {
                return string.Create(span.Length, span, static (dest, src) => src.ToUpperInvariant(dest));
            }
        }

        return span.ToString();
    }
}

public sealed class SymbolJsonConverter : JsonConverter<Symbol>
{
    public override Symbol Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Symbol.FromTrusted(reader.GetString() ?? throw new JsonException("A symbol cannot be null."));

    public override void Write(Utf8JsonWriter writer, Symbol value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
