using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

public class SignalIdentityTests
{
    /// <summary>A body without time or id: identified only within its dedupe window.</summary>
    private const string Untimed = """{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":100.5,"source":"strat"}""";

    private const string Timed = """{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":100.5,"source":"strat","time":"2026-01-15T14:29:00Z"}""";

    /// <summary>The start of a 300 s dedupe window.</summary>
    private static readonly DateTimeOffset WindowStart = DateTimeOffset.FromUnixTimeSeconds(1_768_487_400); // 2026-01-15T14:30:00Z

    [Fact]
    public void The_same_alert_gets_the_same_id()
    {
        Assert.Equal(Alerts.Identity(Alerts.ValidBody), Alerts.Identity(Alerts.ValidBody));
        Assert.Equal(Alerts.Normalize(Alerts.ValidBody).SignalId, Alerts.Identity(Alerts.ValidBody).Id);
    }

    [Fact]
    public void The_id_is_the_prefix_and_24_lower_case_hex_digits() =>
        Assert.Matches("^sig_[0-9a-f]{24}$", Alerts.Identity(Alerts.ValidBody).Id);

    [Theory]
    [InlineData("source", "\"other\"")]
    [InlineData("symbol", "\"ETHUSDT\"")]
    [InlineData("symbol", "\"COINBASE:BTCUSDT\"")]
    [InlineData("exchange", "\"KRAKEN\"")]
    [InlineData("timeframe", "\"60\"")]
    [InlineData("action", "\"sell\"")]
    [InlineData("action", "\"close\"")]
    [InlineData("price", "100.51")]
    [InlineData("time", "\"2026-01-15T14:29:01Z\"")]
    [InlineData("id", "\"alert-2\"")]
    public void Changing_any_identifying_field_changes_the_id(string field, string json)
    {
        var body = Alerts.With("id", "\"alert-1\"", Timed);
        Assert.NotEqual(Alerts.Identity(body).Id, Alerts.Identity(Alerts.With(field, json, body)).Id);
    }

    [Fact]
    public void Every_identifying_variant_has_its_own_id()
    {
        string[] variants =
        [
            Untimed,
            Alerts.With("source", "\"s2\"", Untimed),
            Alerts.With("symbol", "\"ETHUSDT\"", Untimed),
            Alerts.With("symbol", "\"BINANCE:BTCUSDT\"", Untimed),
            Alerts.With("timeframe", "\"5\"", Untimed),
            Alerts.With("action", "\"sell\"", Untimed),
            Alerts.With("action", "\"close\"", Untimed),
            Alerts.With("price", "100.6", Untimed),
            Alerts.With("time", "\"2026-01-15T14:29:00Z\"", Untimed),
            Alerts.With("id", "\"a\"", Untimed),
            Alerts.With("id", "\"a\"", Alerts.With("time", "\"2026-01-15T14:29:00Z\"", Untimed)),
        ];

        var ids = variants.Select(v => Alerts.Identity(v, WindowStart).Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Theory]
    [InlineData("confidence", "95")]
    [InlineData("comment", "\"different words\"")]
    [InlineData("quantity", "3")]
    [InlineData("stopLoss", "90")]
    [InlineData("passphrase", "\"another\"")]
    [InlineData("unknown", "\"x\"")]
    public void Fields_outside_the_identity_do_not_change_it(string field, string json) =>
        Assert.Equal(Alerts.Identity(Timed).Id, Alerts.Identity(Alerts.With(field, json, Timed)).Id);

    [Theory]
    [InlineData("100.5")]
    [InlineData("100.50")]
    [InlineData("\"100.50\"")]
    [InlineData("\"100.5000000\"")]
    [InlineData("1.005e2")]
    [InlineData("\"1005E-1\"")]
    public void Equal_prices_written_differently_are_one_id(string price) =>
        Assert.Equal(Alerts.Identity(Timed).Id, Alerts.Identity(Alerts.With("price", price, Timed)).Id);

    [Theory]
    [InlineData("timeframe", "\"60\"", "\"1h\"")]
    [InlineData("timeframe", "60", "\"60\"")]
    [InlineData("timeframe", "\"D\"", "\"1D\"")]
    [InlineData("action", "\"buy\"", "\"LONG\"")]
    [InlineData("action", "\"exit\"", "\"flat\"")]
    [InlineData("symbol", "\"btcusdt\"", "\"BTCUSDT\"")]
    [InlineData("source", "\"Strat\"", "\"strat\"")]
    [InlineData("time", "\"2026-01-15T14:29:00Z\"", "\"2026-01-15T15:29:00+01:00\"")]
    [InlineData("time", "\"2026-01-15T14:29:00Z\"", "1768487340000")]
    [InlineData("id", "12345", "\"12345\"")]
    public void Equal_values_spelled_differently_are_one_id(string field, string a, string b) =>
        Assert.Equal(Alerts.Identity(Alerts.With(field, a, Timed)).Id, Alerts.Identity(Alerts.With(field, b, Timed)).Id);

    [Theory]
    [InlineData("time", "\"2026-01-15T14:29:00Z\"")]
    [InlineData("id", "\"alert-1\"")]
    public void An_alert_with_time_or_id_ignores_when_it_arrived(string field, string json)
    {
        var body = Alerts.With(field, json, Untimed);
        var first = Alerts.Identity(body, WindowStart);
        var dayLater = Alerts.Identity(body, WindowStart.AddDays(1).AddSeconds(17));

        Assert.Equal(first, dayLater);
        Assert.Null(first.PreviousWindowId);
    }

    [Fact]
    public void An_alert_without_time_or_id_is_the_same_signal_within_its_window()
    {
        var early = Alerts.Identity(Untimed, WindowStart);
        var late = Alerts.Identity(Untimed, WindowStart.AddSeconds(299));
        Assert.Equal(early, late);
    }

    [Fact]
    public void An_alert_without_time_or_id_is_a_new_signal_in_the_next_window_which_remembers_the_previous_id()
    {
        var before = Alerts.Identity(Untimed, WindowStart.AddSeconds(299));
        var after = Alerts.Identity(Untimed, WindowStart.AddSeconds(300));
        var dayLater = Alerts.Identity(Untimed, WindowStart.AddDays(1));

        Assert.NotEqual(before.Id, after.Id);
        Assert.Equal(before.Id, after.PreviousWindowId);
        Assert.NotNull(before.PreviousWindowId);
        Assert.NotEqual(before.Id, before.PreviousWindowId);
        Assert.NotEqual(before.Id, dayLater.Id);
        Assert.NotEqual(after.Id, dayLater.Id);
    }

    [Fact]
    public void A_resend_straddling_the_boundary_is_caught_through_the_previous_window_id()
    {
        var original = Alerts.Identity(Untimed, WindowStart.AddSeconds(298));
        var resend = Alerts.Identity(Untimed, WindowStart.AddSeconds(303)); // TradingView resends 5 s later
        Assert.Contains(original.Id, new[] { resend.Id, resend.PreviousWindowId });
    }

    [Fact]
    public void The_window_length_decides_the_boundary()
    {
        var at = WindowStart.AddSeconds(30);
        Assert.Equal(
            SignalIdentity.Compute("s", Symbol.FromTrusted("X"), null, Timeframe.Parse("1"), SignalAction.Buy, 1m, null, null, at, TimeSpan.FromSeconds(60)).PreviousWindowId,
            SignalIdentity.Compute("s", Symbol.FromTrusted("X"), null, Timeframe.Parse("1"), SignalAction.Buy, 1m, null, null, at.AddSeconds(-60), TimeSpan.FromSeconds(60)).Id);

        // A zero window is treated as one second rather than dividing by zero.
        var zero = SignalIdentity.Compute("s", Symbol.FromTrusted("X"), null, Timeframe.Parse("1"), SignalAction.Buy, 1m, null, null, at, TimeSpan.Zero);
        Assert.StartsWith("sig_", zero.Id);
    }

    [Fact]
    public void The_decision_id_is_derived_from_the_signal_id()
    {
        Assert.Equal("dec_0123456789abcdef01234567", SignalIdentity.DecisionIdFor("sig_0123456789abcdef01234567"));
        Assert.Equal("dec_legacy-id", SignalIdentity.DecisionIdFor("legacy-id"));

        var signalId = Alerts.Identity(Alerts.ValidBody).Id;
        Assert.Equal("dec_" + signalId["sig_".Length..], SignalIdentity.DecisionIdFor(signalId));
    }

    [Fact]
    public void Fields_at_their_validated_limits_fit_the_identity()
    {
        var body = Alerts.With("id", $"\"{new string('€', 64)}\"", Alerts.With("source", $"\"{new string('s', 32)}\"",
            Alerts.With("symbol", $"\"{new string('E', 19)}:{new string('S', 20)}\"", Alerts.With("price", "79228162514264337593543950335", Timed))));
        Assert.Matches("^sig_[0-9a-f]{24}$", Alerts.Identity(body).Id);
    }

    [Property(MaxTest = 200)]
    public Property Trailing_zeros_never_change_the_id() =>
        Prop.ForAll(
            Gen.Choose(1, int.MaxValue).Zip(Gen.Choose(0, 8)).Zip(Gen.Choose(1, 10)).ToArbitrary(),
            x =>
            {
                var ((units, scale), zeros) = x;
                var price = new decimal(units, 0, 0, false, (byte)scale);
                var padded = decimal.Parse(price.ToString(CultureInfo.InvariantCulture) + (scale == 0 ? "." : string.Empty) + new string('0', zeros), CultureInfo.InvariantCulture);
                return Id(price) == Id(padded);
            });

    private static string Id(decimal price) =>
        SignalIdentity.Compute("tradingview", Symbol.FromTrusted("BTCUSDT"), null, Timeframe.Parse("15"), SignalAction.Buy, price, null, "a", Clocks.Now, Alerts.DedupeWindow).Id;
}
