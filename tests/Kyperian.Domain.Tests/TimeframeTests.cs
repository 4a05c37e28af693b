using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

public class TimeframeTests
{
    [Theory]
    [InlineData("1", 60)]
    [InlineData("5", 300)]
    [InlineData("15", 900)]
    [InlineData("60", 3600)]
    [InlineData("240", 14400)]
    [InlineData("30S", 30)]
    [InlineData("D", 86400)]
    [InlineData("1D", 86400)]
    [InlineData("W", 604800)]
    [InlineData("1W", 604800)]
    [InlineData("M", 2592000)]
    [InlineData("1M", 2592000)]
    public void Parses_every_tradingview_interval_form(string raw, int seconds)
    {
        Assert.True(Timeframe.TryParse(raw, out var timeframe));
        Assert.Equal(seconds, timeframe.Seconds);
        Assert.Equal(TimeSpan.FromSeconds(seconds), timeframe.Duration);
        Assert.Equal(seconds / 60.0, timeframe.Minutes);
    }

    [Theory]
    [InlineData("1m", 60)]
    [InlineData("5m", 300)]
    [InlineData("15m", 900)]
    [InlineData("1h", 3600)]
    [InlineData("4h", 14400)]
    [InlineData("1d", 86400)]
    [InlineData("1w", 604800)]
    [InlineData("4H", 14400)]
    [InlineData("1s", 1)]
    [InlineData(" 15 ", 900)]
    public void Parses_common_shorthand(string raw, int seconds) =>
        Assert.Equal(seconds, Timeframe.Parse(raw).Seconds);

    [Fact]
    public void Lower_case_m_is_a_minute_and_upper_case_M_a_month_of_30_days()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), Timeframe.Parse("1m").Duration);
        Assert.Equal(TimeSpan.FromDays(30), Timeframe.Parse("1M").Duration);
    }

    [Theory]
    [InlineData("60", "1h")]
    [InlineData("1440", "1D")]
    [InlineData("240", "4h")]
    [InlineData("D", "1D")]
    [InlineData("D", "1d")]
    [InlineData("W", "1W")]
    [InlineData("7D", "1W")]
    [InlineData("M", "1M")]
    [InlineData("24h", "D")]
    [InlineData("1", "1m")]
    public void Equal_spellings_are_equal_timeframes(string a, string b)
    {
        var left = Timeframe.Parse(a);
        var right = Timeframe.Parse(b);
        Assert.Equal(left, right);
        Assert.True(left == right);
        Assert.Equal(left.GetHashCode(), right.GetHashCode());
        Assert.Equal(left.Label, right.Label);
    }

    [Theory]
    [InlineData("1", "1m")]
    [InlineData("5", "5m")]
    [InlineData("15", "15m")]
    [InlineData("30", "30m")]
    [InlineData("60", "1h")]
    [InlineData("90", "90m")]
    [InlineData("120", "2h")]
    [InlineData("240", "4h")]
    [InlineData("1440", "1D")]
    [InlineData("30S", "30s")]
    [InlineData("D", "1D")]
    [InlineData("3D", "3D")]
    [InlineData("W", "1W")]
    [InlineData("14D", "2W")]
    [InlineData("M", "1M")]
    [InlineData("3M", "3M")]
    public void Labels_are_canonical(string raw, string label)
    {
        var timeframe = Timeframe.Parse(raw);
        Assert.Equal(label, timeframe.Label);
        Assert.Equal(label, timeframe.ToString());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("abc")]
    [InlineData("1x")]
    [InlineData("99999")]
    [InlineData("1441")]
    [InlineData("61S")]
    [InlineData("60S")]
    [InlineData("25h")]
    [InlineData("366D")]
    [InlineData("53W")]
    [InlineData("13M")]
    [InlineData("0D")]
    [InlineData("1.5")]
    [InlineData("+5")]
    [InlineData("5 m")]
    [InlineData("S")]
    [InlineData("h")]
    [InlineData("m")]
    [InlineData("1hh")]
    [InlineData("1234567")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\n")]
    [InlineData("١٥")] // Arabic-Indic digits: not ASCII
    public void Rejects_what_is_not_an_interval(string raw)
    {
        Assert.False(Timeframe.TryParse(raw, out var timeframe));
        Assert.Equal(default, timeframe);
        Assert.Throws<FormatException>(() => Timeframe.Parse(raw));
    }

    [Fact]
    public void Rejects_null() => Assert.False(Timeframe.TryParse((string?)null, out _));

    [Theory]
    [InlineData("30S", 1.0)]
    [InlineData("1", 1.0)]
    [InlineData("5", 3.32)]
    [InlineData("15", 4.91)]
    [InlineData("60", 6.91)]
    [InlineData("240", 8.91)]
    [InlineData("1D", 11.49)]
    [InlineData("1W", 14.30)]
    public void Weights_match_the_design_table(string raw, double weight) =>
        Assert.Equal(weight, Math.Round(Timeframe.Parse(raw).Weight, 2));

    [Fact]
    public void Compares_by_duration()
    {
        var ordered = new[] { "1W", "30S", "240", "1", "D", "15" }.Select(Timeframe.Parse).Order().Select(t => t.Label);
        Assert.Equal(["30s", "1m", "15m", "4h", "1D", "1W"], ordered);
        Assert.True(Timeframe.Parse("60") > Timeframe.Parse("15"));
        Assert.True(Timeframe.Parse("60") >= Timeframe.Parse("1h"));
        Assert.True(Timeframe.Parse("5") < Timeframe.Parse("D"));
        Assert.True(Timeframe.Parse("5") <= Timeframe.Parse("5m"));
    }

    [Fact]
    public void From_seconds_rejects_zero_and_negative()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Timeframe.FromSeconds(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Timeframe.FromSeconds(-60));
        Assert.Equal(Timeframe.Parse("15"), Timeframe.FromMinutes(15));
    }

    [Fact]
    public void Json_carries_the_label_and_reads_any_spelling()
    {
        Assert.Equal("\"4h\"", JsonSerializer.Serialize(Timeframe.Parse("240")));
        Assert.Equal(Timeframe.Parse("1D"), JsonSerializer.Deserialize<Timeframe>("\"1440\""));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Timeframe>("\"25h\""));
    }

    // ---- properties ----

    /// <summary>(text unit, seconds per unit, largest count) for every unit the parser knows.</summary>
    private static readonly (string Unit, int Seconds, int Max)[] Units =
    [
        ("", 60, 1440), ("S", 1, 59), ("s", 1, 59), ("m", 60, 1440), ("h", 3600, 24), ("H", 3600, 24),
        ("D", 86400, 365), ("d", 86400, 365), ("W", 604800, 52), ("w", 604800, 52), ("M", 2592000, 12),
    ];

    private static Arbitrary<(string Text, int Seconds)> InRange() =>
        (from unit in Gen.Elements(Units)
         from count in Gen.Choose(1, unit.Max)
         select ($"{count}{unit.Unit}", count * unit.Seconds)).ToArbitrary();

    [Property]
    public Property Any_count_and_unit_in_range_parses_to_its_duration_and_round_trips_through_its_label() =>
        Prop.ForAll(InRange(), x =>
        {
            var parsed = Timeframe.Parse(x.Text);
            return parsed.Seconds == x.Seconds
                && Timeframe.TryParse(parsed.Label, out var again)
                && again.Seconds == x.Seconds
                && again == parsed;
        });

    [Property(MaxTest = 500)]
    public Property Parsing_never_throws_on_arbitrary_strings()
    {
        var intervalish = Gen.Elements("0123456789SsmhHDdWwM -+.:xé\t".ToCharArray())
            .ArrayOf().Select(chars => new string(chars));
        var anyString = ArbMap.Default.GeneratorFor<string>();
        return Prop.ForAll(Gen.OneOf(intervalish, anyString).ToArbitrary(), raw =>
        {
            var ok = Timeframe.TryParse(raw, out var timeframe);
            return ok ? timeframe.Seconds > 0 : timeframe == default;
        });
    }

    [Property]
    public Property Weight_is_max_of_1_and_log2_minutes_plus_1() =>
        Prop.ForAll(InRange(), x =>
        {
            var timeframe = Timeframe.Parse(x.Text);
            var expected = Math.Max(1.0, Math.Log2(x.Seconds / 60.0) + 1.0);
            return Math.Abs(timeframe.Weight - expected) < 1e-12 && timeframe.Weight >= 1.0;
        });

    [Property]
    public Property Weight_is_monotonic_in_duration() =>
        Prop.ForAll(InRange(), InRange(), (a, b) =>
        {
            var (shorter, longer) = a.Seconds <= b.Seconds
                ? (Timeframe.Parse(a.Text), Timeframe.Parse(b.Text))
                : (Timeframe.Parse(b.Text), Timeframe.Parse(a.Text));
            return shorter.Weight <= longer.Weight;
        });
}
