using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kyperian.Domain.Signals;

/// <summary>
/// A chart interval. Parsed from every form TradingView's <c>{{interval}}</c> produces (<c>15</c>, <c>240</c>,
/// <c>30S</c>, <c>D</c>, <c>1W</c>, <c>M</c>) and the common shorthand (<c>15m</c>, <c>4h</c>, <c>1d</c>);
/// two spellings of one duration are one timeframe. Months count as 30 days.
/// </summary>
[JsonConverter(typeof(TimeframeJsonConverter))]
public readonly record struct Timeframe : IComparable<Timeframe>
{
    public const string Accepted =
        "minutes (1-1440) as a bare number or with m, seconds with S (1-59), hours with h (1-24), D, W or M with an optional count";

    private const int Minute = 60;
    private const int Hour = 60 * Minute;
    private const int Day = 24 * Hour;
    private const int Week = 7 * Day;
    private const int Month = 30 * Day;

    private readonly string? _label;

    private Timeframe(int seconds)
    {
        Seconds = seconds;
        _label = LabelOf(seconds);
    }

    public int Seconds { get; }

    public TimeSpan Duration => TimeSpan.FromSeconds(Seconds);

    public double Minutes => Seconds / 60.0;

    /// <summary>
    /// Longer timeframes weigh more, logarithmically: w = max(1, log2(minutes) + 1).
    /// A 4h bar says more about the trend than a 1m bar, but not 240 times more.
    /// </summary>
    public double Weight => Math.Max(1.0, Math.Log2(Minutes) + 1.0);

    public string Label => _label ?? "0s";

    public static Timeframe FromSeconds(int seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seconds);
        return new Timeframe(seconds);
    }

    public static Timeframe FromMinutes(int minutes) => FromSeconds(minutes * Minute);

    public int CompareTo(Timeframe other) => Seconds.CompareTo(other.Seconds);

    public static bool operator <(Timeframe left, Timeframe right) => left.Seconds < right.Seconds;

    public static bool operator >(Timeframe left, Timeframe right) => left.Seconds > right.Seconds;

    public static bool operator <=(Timeframe left, Timeframe right) => left.Seconds <= right.Seconds;

    public static bool operator >=(Timeframe left, Timeframe right) => left.Seconds >= right.Seconds;

    public override string ToString() => Label;

    public static Timeframe Parse(string raw) =>
        TryParse(raw, out var timeframe) ? timeframe : throw new FormatException($"'{raw}' is not a timeframe: {Accepted}.");

    public static bool TryParse([NotNullWhen(true)] string? raw, out Timeframe timeframe) =>
        TryParse(raw is null ? default : raw.AsSpan(), out timeframe) && raw is not null;

    public static bool TryParse(ReadOnlySpan<char> raw, out Timeframe timeframe)
    {
        timeframe = default;
        raw = raw.Trim();
        if (raw.IsEmpty || raw.Length > 6)
        {
            return false;
        }

        var digits = 0;
        while (digits < raw.Length && char.IsAsciiDigit(raw[digits]))
        {
            digits++;
        }

        var unitPart = raw[digits..];
        int count;
        if (digits == 0)
        {
            count = 1;
        }
        else if (!int.TryParse(raw[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count == 0)
        {
            return false;
        }

        if (unitPart.Length > 1)
        {
            return false;
        }

        // 'm' is a minute and 'M' a month, as TradingView spells them; other units ignore case.
        var (unit, max) = unitPart.IsEmpty
            ? (digits == 0 ? 0 : Minute, 1440)
            : unitPart[0] switch
            {
                'S' or 's' => (1, 59),
                'm' => (Minute, 1440),
                'h' or 'H' => (Hour, 24),
                'D' or 'd' => (Day, 365),
                'W' or 'w' => (Week, 52),
                'M' => (Month, 12),
                _ => (0, 0),
            };

        // A bare number needs digits, and a count alone is only valid for units that allow omitting it.
        if (unit == 0 || count > max || (digits == 0 && unit is not (Day or Week or Month)))
        {
            return false;
        }

        timeframe = new Timeframe(count * unit);
        return true;
    }

    private static string LabelOf(int seconds) => seconds switch
    {
        Minute => "1m",
        5 * Minute => "5m",
        15 * Minute => "15m",
        30 * Minute => "30m",
        Hour => "1h",
        4 * Hour => "4h",
        Day => "1D",
        Week => "1W",
        Month => "1M",
        _ when seconds % Month == 0 => $"{seconds / Month}M",
        _ when seconds % Week == 0 => $"{seconds / Week}W",
        _ when seconds % Day == 0 => $"{seconds / Day}D",
        _ when seconds % Hour == 0 => $"{seconds / Hour}h",
        _ when seconds % Minute == 0 => $"{seconds / Minute}m",
        _ => $"{seconds}s",
    };
}

public sealed class TimeframeJsonConverter : JsonConverter<Timeframe>
{
    public override Timeframe Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Timeframe.TryParse(reader.GetString(), out var timeframe)
            ? timeframe
            : throw new JsonException($"Not a timeframe: {Timeframe.Accepted}.");

    public override void Write(Utf8JsonWriter writer, Timeframe value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Label);
}
