using System.Text;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

/// <summary>Valid TradingView bodies: read, checked and normalized into one canonical signal.</summary>
public class AlertReadingTests
{
    [Fact]
    public void A_complete_alert_normalizes_every_field()
    {
        var time = new DateTimeOffset(2026, 1, 15, 14, 29, 0, TimeSpan.Zero);
        var signal = Alerts.Normalize("""
            {"symbol":"binance:btcusdt","action":"BUY","timeframe":"15","price":43250.5,"confidence":80,
             "source":"My-Strat_1","passphrase":"hunter2","id":"alert-1","time":"2026-01-15T14:29:00Z",
             "quantity":0.25,"stopLoss":42000,"takeProfit":"45000.5","comment":"breakout\nabove range\tok"}
            """);

        Assert.Equal("BTCUSDT", signal.Symbol.Value);
        Assert.Equal("BINANCE", signal.Exchange);
        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.Equal(Timeframe.Parse("15m"), signal.Timeframe);
        Assert.Equal(43250.5m, signal.Price);
        Assert.Equal(80, signal.Confidence);
        Assert.Equal("my-strat_1", signal.Source);
        Assert.Equal("alert-1", signal.AlertId);
        Assert.Equal(time, signal.AlertTime);
        Assert.Equal(Clocks.Now, signal.ReceivedAt);
        Assert.Equal(time, signal.ObservedAt);
        Assert.Equal(0.25m, signal.Quantity);
        Assert.Equal(42000m, signal.StopLoss);
        Assert.Equal(45000.5m, signal.TakeProfit);
        Assert.Equal("breakout\nabove range\tok", signal.Comment);
        Assert.StartsWith(SignalIdentity.SignalPrefix, signal.SignalId);
    }

    [Fact]
    public void A_minimal_alert_gets_the_documented_defaults()
    {
        var signal = Alerts.Normalize("""{"symbol":"ETHUSDT","action":"sell","timeframe":"60","price":3100}""");

        Assert.Null(signal.Confidence); // the engine's DefaultConfidence applies when it decides
        Assert.Equal("tradingview", signal.Source);
        Assert.Null(signal.Exchange);
        Assert.Null(signal.AlertId);
        Assert.Null(signal.AlertTime);
        Assert.Null(signal.Comment);
        Assert.Equal(Clocks.Now, signal.ObservedAt);
    }

    [Fact]
    public void Price_may_be_a_number_or_a_numeric_string()
    {
        Assert.Equal(100.5m, Alerts.Normalize(Alerts.With("price", "100.5")).Price);
        Assert.Equal(100.50m, Alerts.Normalize(Alerts.With("price", "\"100.50\"")).Price);
        Assert.Equal(0.00001234m, Alerts.Normalize(Alerts.With("price", "1.234e-5")).Price);
        Assert.Equal(1500m, Alerts.Normalize(Alerts.With("price", "\"1.5e3\"")).Price);
    }

    [Fact]
    public void Time_may_be_timenow_or_epoch_milliseconds()
    {
        var time = new DateTimeOffset(2026, 1, 15, 14, 29, 0, TimeSpan.Zero);
        var ms = time.ToUnixTimeMilliseconds();

        Assert.Equal(time, Alerts.Normalize(Alerts.With("time", "\"2026-01-15T14:29:00Z\"")).AlertTime);
        Assert.Equal(time, Alerts.Normalize(Alerts.With("time", ms.ToString())).AlertTime);
        Assert.Equal(time, Alerts.Normalize(Alerts.With("time", $"\"{ms}\"")).AlertTime);
        Assert.Equal(time, Alerts.Normalize(Alerts.With("time", "\"2026-01-15T15:29:00+01:00\"")).AlertTime);
        Assert.Equal(TimeSpan.Zero, Alerts.Normalize(Alerts.With("time", "\"2026-01-15T15:29:00+01:00\"")).AlertTime!.Value.Offset);
    }

    [Theory]
    [InlineData("15", 900)]
    [InlineData("240", 14400)]
    [InlineData("1", 60)]
    public void An_unquoted_interval_is_read_as_minutes(string interval, int seconds) =>
        Assert.Equal(seconds, Alerts.Normalize(Alerts.With("timeframe", interval)).Timeframe.Seconds);

    [Fact]
    public void A_byte_order_mark_and_trailing_newlines_are_harmless()
    {
        var bom = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Alerts.ValidBody)).ToArray();
        var input = AlertReader.Read(bom);
        Assert.Empty(new AlertValidator(Clocks.Fixed()).Check(input));
        Assert.Equal("BINANCE:BTCUSDT", input.Symbol);

        Assert.Empty(Alerts.Errors(Alerts.ValidBody + "\n"));
        Assert.Empty(Alerts.Errors(Alerts.ValidBody + "\r\n"));
        Assert.Empty(Alerts.Errors("\n  " + Alerts.ValidBody + " \t\n"));
    }

    [Fact]
    public void Bot_aliases_are_read_as_their_fields()
    {
        var input = Alerts.Read("""{"ticker":"BTCUSDT","side":"long","interval":"4h","price":1,"secret":"s3"}""");
        Assert.Empty(new AlertValidator(Clocks.Fixed()).Check(input));
        Assert.Equal("BTCUSDT", input.Symbol);
        Assert.Equal("long", input.Action);
        Assert.Equal("4h", input.Timeframe);
        Assert.Equal("s3", input.Passphrase);

        Assert.Equal("k9", Alerts.Read(Alerts.With("key", "\"k9\"", Alerts.Without("passphrase"))).Passphrase);
        Assert.Equal("12345", Alerts.Read(Alerts.With("passphrase", "12345")).Passphrase);
    }

    [Fact]
    public void Escaped_field_names_are_recognised() =>
        Assert.Equal("ETHUSDT", Alerts.Read(Alerts.With("\u0073ymbol", "\"ETHUSDT\"").Replace("\"symbol\"", "\"\\u0073ymbol\"")).Symbol);

    [Fact]
    public void Null_optional_fields_count_as_absent() =>
        Assert.Empty(Alerts.Errors(Alerts.With("comment", "null", Alerts.With("confidence", "null"))));

    [Fact]
    public void An_explicit_exchange_wins_over_the_symbol_prefix()
    {
        var signal = Alerts.Normalize(Alerts.With("exchange", "\"coinbase\""));
        Assert.Equal("COINBASE", signal.Exchange);
        Assert.Equal("BTCUSDT", signal.Symbol.Value);
    }

    [Fact]
    public void Whole_number_confidence_written_as_decimal_or_string_is_accepted()
    {
        Assert.Equal(75, Alerts.Normalize(Alerts.With("confidence", "75.0")).Confidence);
        Assert.Equal(75, Alerts.Normalize(Alerts.With("confidence", "\"75\"")).Confidence);
        Assert.Equal(0, Alerts.Normalize(Alerts.With("confidence", "0")).Confidence);
        Assert.Equal(100, Alerts.Normalize(Alerts.With("confidence", "100")).Confidence);
    }

    [Fact]
    public void Unknown_fields_are_listed_and_do_not_fail_the_alert()
    {
        var input = Alerts.Read(Alerts.With("nested", """{"a":[1,2,{"b":null}]}""", Alerts.With("foo", "1", Alerts.With("strategy", "\"x\""))));
        Assert.Empty(new AlertValidator(Clocks.Fixed()).Check(input));
        Assert.Equal(["strategy", "foo", "nested"], input.UnknownFields);
        Assert.Null(input.ReadErrors);
    }

    [Fact]
    public void At_most_20_unknown_fields_are_listed_and_long_names_are_cut()
    {
        var body = Alerts.ValidBody;
        for (var i = 0; i < 25; i++)
        {
            body = Alerts.With($"extra{i}", "0", body);
        }

        Assert.Equal(AlertReader.MaxUnknownFieldsListed, Alerts.Read(body).UnknownFields!.Count);

        var longName = new string('x', 100);
        var listed = Assert.Single(Alerts.Read(Alerts.With(longName, "0")).UnknownFields!);
        Assert.Equal(new string('x', 64) + "…", listed);
    }

    [Fact]
    public void A_known_alert_has_no_unknown_fields() => Assert.Null(Alerts.Read(Alerts.ValidBody).UnknownFields);

    [Fact]
    public void An_invalid_alert_has_errors_and_no_parsed_alert_to_normalize()
    {
        var check = new AlertValidator(Clocks.Fixed()).Validate(Alerts.Read(Alerts.With("symbol", "\"BTC USDT\"")));
        Assert.False(check.IsValid);
        Assert.Null(check.Alert);
        Assert.Equal("symbol", Assert.Single(check.Errors).Field);
    }

    [Fact]
    public void The_validator_parses_each_field_once_into_the_values_the_signal_carries()
    {
        var alert = Alerts.Valid("""{"symbol":"binance:ethusdt","action":"Long","timeframe":"4h","price":"3100.5","source":"My-Strat"}""");
        Assert.Equal("ETHUSDT", alert.Symbol.Value);
        Assert.Equal("BINANCE", alert.Exchange);
        Assert.Equal(SignalAction.Buy, alert.Action);
        Assert.Equal(Timeframe.FromMinutes(240), alert.Timeframe);
        Assert.Equal("my-strat", alert.Source);

        var signal = AlertNormalizer.ToSignal(alert, Clocks.Now, Alerts.DedupeWindow).Signal;
        Assert.Equal(alert.Symbol, signal.Symbol);
        Assert.Equal(alert.Timeframe, signal.Timeframe);
        Assert.Equal(alert.Action, signal.Action);
    }

    [Fact]
    public void The_signal_never_carries_the_passphrase()
    {
        var signal = Alerts.Normalize(Alerts.With("passphrase", "\"Pa55-unique-XYZ\""));
        Assert.DoesNotContain("Pa55-unique-XYZ", System.Text.Json.JsonSerializer.Serialize(signal));
        Assert.DoesNotContain("Pa55-unique-XYZ", signal.ToString());
    }

    [Fact]
    public void The_signal_round_trips_through_json()
    {
        var signal = Alerts.Normalize(Alerts.With("time", "\"2026-01-15T14:29:00Z\"", Alerts.With("comment", "\"c\"")));
        var json = System.Text.Json.JsonSerializer.Serialize(signal, System.Text.Json.JsonSerializerOptions.Web);
        Assert.Contains("\"action\":\"Buy\"", json);
        Assert.Contains("\"timeframe\":\"15m\"", json);
        Assert.Contains("\"symbol\":\"BTCUSDT\"", json);
        Assert.Equal(signal, System.Text.Json.JsonSerializer.Deserialize<Signal>(json, System.Text.Json.JsonSerializerOptions.Web));
    }
}
