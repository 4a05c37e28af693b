using System.Text;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Time.Testing;

namespace Kyperian.Domain.Tests;

/// <summary>Every kind of bad alert: the exact field is named, with a reason, and nothing else fails.</summary>
public class AlertErrorTests
{
    private const string NumberReason = "must be a finite number greater than 0, or a numeric string";
    private const string ConfidenceReason = "must be a whole number from 0 to 100";
    private const string TimeReason = "must be an ISO-8601 time such as 2026-01-15T14:30:00Z ({{timenow}}) or epoch milliseconds";
    private const string InvalidJson = "is not valid JSON";

    [Theory]
    [InlineData("symbol")]
    [InlineData("action")]
    [InlineData("timeframe")]
    public void A_missing_required_field_is_named_with_how_to_add_it(string field)
    {
        var error = Assert.Single(Alerts.Errors(Alerts.Without(field)));
        Assert.Equal(field, error.Field);
        Assert.StartsWith("is required: ", error.Reason);
    }

    [Theory]
    [InlineData("symbol")]
    [InlineData("action")]
    [InlineData("timeframe")]
    public void A_null_required_field_is_missing(string field)
    {
        var error = Assert.Single(Alerts.Errors(Alerts.With(field, "null")));
        Assert.Equal(field, error.Field);
        Assert.StartsWith("is required: ", error.Reason);
    }

    [Fact]
    public void A_missing_timeframe_says_to_put_the_interval_in_the_url() =>
        Assert.Contains("?interval=15", Assert.Single(Alerts.Errors(Alerts.Without("timeframe"))).Reason);

    [Theory]
    [InlineData(null)]
    [InlineData("null")]
    public void A_missing_price_is_never_an_error_the_signal_is_unpriced(string? json)
    {
        var body = json is null ? Alerts.Without("price") : Alerts.With("price", json);
        var check = new AlertValidator(Clocks.Fixed()).Validate(Alerts.Read(body));
        Assert.Empty(check.Errors);
        Assert.Null(check.Alert!.Price);
        Assert.Contains(check.Hints, h => h.Field == "price");
        Assert.Equal(PriceSource.None, AlertNormalizer.ToSignal(check.Alert, Clocks.Now, Alerts.DedupeWindow).Signal.PriceSource);
    }

    [Fact]
    public void All_missing_fields_are_listed_at_once() =>
        Assert.Equal(["symbol", "action", "timeframe"], Alerts.Errors("""{"passphrase":"x"}""").Select(e => e.Field));

    [Theory]
    [InlineData("symbol", "123", "must be text")]
    [InlineData("symbol", "[\"BTCUSDT\"]", "must be text")]
    [InlineData("action", "true", "must be text")]
    [InlineData("action", "1", "must be text")]
    [InlineData("timeframe", "{}", "must be text or a number")]
    [InlineData("timeframe", "false", "must be text or a number")]
    [InlineData("confidence", "\"high\"", ConfidenceReason)]
    [InlineData("confidence", "true", ConfidenceReason)]
    [InlineData("confidence", "1e10", ConfidenceReason)]
    [InlineData("source", "5", "must be text")]
    [InlineData("passphrase", "{}", "must be text or a number")]
    [InlineData("passphrase", "true", "must be text or a number")]
    [InlineData("id", "[1]", "must be text or a number")]
    [InlineData("exchange", "1", "must be text")]
    [InlineData("comment", "1", "must be text")]
    [InlineData("time", "true", TimeReason)]
    [InlineData("time", "\"yesterday\"", TimeReason)]
    [InlineData("time", "\"15/01/2026 14:29\"", TimeReason)]
    [InlineData("time", "1768487340000.5", TimeReason)]
    [InlineData("time", "-1", TimeReason)]
    [InlineData("time", "\"2026-13-45T99:00:00Z\"", TimeReason)]
    public void A_wrong_type_is_named_once(string field, string json, string reason) =>
        Alerts.AssertSingleError(Alerts.With(field, json), field, reason);

    [Theory]
    [InlineData("price", "\"abc\"")]
    [InlineData("price", "\"None\"")]
    [InlineData("price", "\"\"")]
    [InlineData("price", "[]")]
    [InlineData("price", "true")]
    [InlineData("price", "{\"value\":1}")]
    [InlineData("price", "1e400")]
    [InlineData("price", "\" 100\"")]
    [InlineData("price", "\"100,5\"")]
    [InlineData("price", "\"NaN\"")]
    [InlineData("price", "\"Infinity\"")]
    [InlineData("price", "\"-Infinity\"")]
    [InlineData("price", "\"∞\"")]
    [InlineData("quantity", "\"lots\"")]
    [InlineData("quantity", "\"NaN\"")]
    [InlineData("quantity", "\"@0.006\"")]
    [InlineData("stopLoss", "false")]
    [InlineData("stopLoss", "\"Infinity\"")]
    [InlineData("takeProfit", "[]")]
    public void An_optional_amount_in_another_shape_is_a_warning_never_a_refusal(string field, string json)
    {
        var check = new AlertValidator(Clocks.Fixed()).Validate(Alerts.Read(Alerts.With(field, json)));
        Assert.Empty(check.Errors);
        Assert.Contains(check.Warnings, w => w.StartsWith($"{field} is not a number; {field} is left out", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void A_NaN_literal_makes_the_body_unreadable(string literal)
    {
        var error = Assert.Single(Alerts.Errors(Alerts.ValidBody.Replace("43250.5", literal)));
        Assert.Equal("body", error.Field);
        Assert.StartsWith(InvalidJson, error.Reason);
        Assert.True(Alerts.Read(Alerts.ValidBody.Replace("43250.5", literal)).IsUnreadable);
    }

    [Theory]
    [InlineData("""{"symbol":"BTCUSDT","symbol":"ETHUSDT","action":"buy","timeframe":"15","price":1}""", "symbol", "appears more than once")]
    [InlineData("""{"symbol":"BTCUSDT","ticker":"ETHUSDT","action":"buy","timeframe":"15","price":1}""", "symbol", "appears more than once")]
    [InlineData("""{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":1,"price":2}""", "price", "appears more than once")]
    [InlineData("""{"symbol":"BTCUSDT","action":"buy","side":"sell","timeframe":"15","price":1}""", "action", "appears more than once")]
    [InlineData("""{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":1,"foo":1,"foo":2}""", "foo", "appears more than once")]
    public void A_duplicate_key_is_named(string body, string field, string reason) =>
        Alerts.AssertSingleError(body, field, reason);

    [Theory]
    [InlineData("passphrase", "secret")]
    [InlineData("passphrase", "key")]
    [InlineData("secret", "key")]
    [InlineData("passphrase", "passphrase")]
    public void Two_secrets_are_one_field_given_twice(string first, string second)
    {
        var body = Alerts.Without("passphrase").TrimEnd('}') + $",\"{first}\":\"p1\",\"{second}\":\"p2\"}}";

        Alerts.AssertSingleError(body, "passphrase", "is given more than once (passphrase, secret and key are one field)");
        Assert.Equal("p1", Alerts.Read(body).Passphrase);
    }

    [Fact]
    public void Nesting_of_16_levels_is_read_and_17_is_refused()
    {
        // The alert object itself is the first level.
        Assert.Empty(Alerts.Errors(Alerts.With("extra", Nested(15))));

        var error = Assert.Single(Alerts.Errors(Alerts.With("extra", Nested(16))));
        Assert.Equal("body", error.Field);
        Assert.StartsWith("nests deeper than 16 levels", error.Reason);
        Assert.Single(Alerts.Errors(Alerts.With("extra", Nested(500))));
    }

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    [Fact]
    public void Every_truncation_of_a_valid_body_is_invalid_json_never_too_deep()
    {
        for (var length = 1; length < Alerts.ValidBody.Length; length++)
        {
            var error = Assert.Single(Alerts.Errors(Alerts.ValidBody[..length]));
            Assert.Equal("body", error.Field);
            Assert.StartsWith(InvalidJson + " (line 1, byte ", error.Reason);
        }
    }

    [Theory]
    [InlineData("""{"symbol":"BTCUSDT","action":"buy",}""")]
    [InlineData("""{"symbol":"BTCUSDT" "action":"buy"}""")]
    [InlineData("""{symbol:"BTCUSDT"}""")]
    [InlineData("""{'symbol':'BTCUSDT'}""")]
    [InlineData("""{"symbol":"BTCUSDT"} // alert""")]
    [InlineData("""{"symbol":"BTCUSDT"}{"symbol":"ETHUSDT"}""")]
    [InlineData("""{"symbol":"BTCUSDT"} x""")]
    public void Malformed_json_is_unreadable_with_its_position(string body)
    {
        var error = Assert.Single(Alerts.Errors(body));
        Assert.Equal("body", error.Field);
        Assert.Matches(@"^is not valid JSON \(line \d+, byte \d+\): TradingView sends", error.Reason);
    }

    [Theory]
    [InlineData("BTCUSDT buy 15")]
    [InlineData("BTCUSDT Crossing 64,250.50")]
    [InlineData("Bullish Confirmation Signal")]
    [InlineData("buy,BTCUSDT")]
    public void Text_in_no_known_format_is_refused_with_a_hint(string body)
    {
        var error = Assert.Single(Alerts.Errors(body));
        Assert.Equal("body", error.Field);
        Assert.StartsWith("is not a JSON object or a known text format: send JSON such as", error.Reason);
        Assert.True(Alerts.Read(body).IsUnreadable);
    }

    [Fact]
    public void The_position_of_a_json_error_counts_lines() =>
        Assert.StartsWith("is not valid JSON (line 3, ", Assert.Single(Alerts.Errors("{\n\"symbol\":\"X\",\n\"price\": 1.2.3}")).Reason);

    [Theory]
    [InlineData("[" + Alerts.ValidBody + "]")]
    [InlineData("\"BTCUSDT\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    public void A_body_that_is_not_an_object_is_refused(string body) =>
        Alerts.AssertSingleError(body, "body", "must be a JSON object such as {\"symbol\":\"BTCUSDT\",...}");

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\r\n\t ")]
    public void An_empty_body_is_refused(string body)
    {
        Alerts.AssertSingleError(body, "body", "is empty: send the alert message as a JSON object");
        Assert.True(Alerts.Read(body).IsUnreadable);
    }

    [Fact]
    public void A_body_of_only_a_byte_order_mark_is_empty() =>
        Assert.Equal(
            "is empty: send the alert message as a JSON object",
            Assert.Single(new AlertValidator(Clocks.Fixed()).Check(AlertReader.Read(Encoding.UTF8.GetPreamble()))).Reason);

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("\"-5\"")]
    [InlineData("\"0.0\"")]
    public void Price_must_be_positive(string json) =>
        Alerts.AssertSingleError(Alerts.With("price", json), "price", "must be greater than 0");

    [Theory]
    [InlineData("101")]
    [InlineData("-1")]
    [InlineData("50.5")]
    [InlineData("\"50.5\"")]
    public void Confidence_must_be_a_whole_number_from_0_to_100(string json) =>
        Alerts.AssertSingleError(Alerts.With("confidence", json), "confidence", ConfidenceReason);

    [Theory]
    [InlineData("\"my strategy\"", "my-strategy")]
    [InlineData("\"My Strategy v2 (15m)\"", "my-strategy-v2-15m")]
    [InlineData("\"\"", "tradingview")]
    [InlineData("\"!!!\"", "tradingview")]
    [InlineData("\"café\"", "caf")]
    [InlineData("\"a.b\"", "a-b")]
    [InlineData("\"abcdefghijklmnopqrstuvwxyz0123456\"", "abcdefghijklmnopqrstuvwxyz012345")] // 33
    public void A_free_text_source_is_read_as_its_slug_with_a_warning(string json, string source)
    {
        var check = new AlertValidator(Clocks.Fixed()).Validate(Alerts.Read(Alerts.With("source", json)));
        Assert.Empty(check.Errors);
        Assert.Contains(check.Warnings, w => w.StartsWith("source ", StringComparison.Ordinal));
        Assert.Equal(source, AlertNormalizer.ToSignal(check.Alert!, Clocks.Now, Alerts.DedupeWindow).Signal.Source);
    }

    [Fact]
    public void Source_of_32_characters_is_accepted() =>
        Assert.Empty(Alerts.Errors(Alerts.With("source", "\"abcdefghijklmnopqrstuvwxyz012345\"")));

    [Theory]
    [InlineData(65)]
    [InlineData(0)]
    public void Id_must_be_1_to_64_characters(int length) =>
        Alerts.AssertSingleError(Alerts.With("id", $"\"{new string('a', length)}\""), "id", "must be 1 to 64 printable characters");

    [Fact]
    public void Id_of_64_characters_is_accepted_and_a_control_character_is_not()
    {
        Assert.Empty(Alerts.Errors(Alerts.With("id", $"\"{new string('a', 64)}\"")));
        Alerts.AssertSingleError(Alerts.With("id", "\"a\\tb\""), "id", "must be 1 to 64 printable characters");
    }

    [Theory]
    [InlineData("\"a\\u202Eb\"")] // right-to-left override
    [InlineData("\"a\\u202Ab\"")]
    [InlineData("\"a\\u2066b\"")] // left-to-right isolate
    [InlineData("\"a\\u2069b\"")]
    [InlineData("\"a\\u200Eb\"")]
    [InlineData("\"a\\u200Fb\"")]
    [InlineData("\"a\\u061Cb\"")]
    [InlineData("\"a\\u200Bb\"")] // zero-width space
    [InlineData("\"a\\u200Db\"")]
    [InlineData("\"a\\u2060b\"")]
    [InlineData("\"a\\uFEFFb\"")]
    [InlineData("\"a\\u001Bb\"")]
    [InlineData("\"a\\u0085b\"")]
    public void Id_refuses_bidi_zero_width_and_control_characters(string json) =>
        Alerts.AssertSingleError(Alerts.With("id", json), "id", "must be 1 to 64 printable characters");

    [Fact]
    public void Id_accepts_printable_unicode() => Assert.Empty(Alerts.Errors(Alerts.With("id", "\"alerte-été-№1\"")));

    [Fact]
    public void An_unknown_field_name_is_escaped_before_it_reaches_a_warning_or_an_error()
    {
        var name = "evil\n2026-01-15 INFO forged\r\u001b[31m\u202E";
        var json = System.Text.Json.JsonSerializer.Serialize(name);
        var body = Alerts.ValidBody.TrimEnd('}') + $",{json}:1}}";
        var listed = Assert.Single(Alerts.Read(body).UnknownFields!);
        Assert.Equal("evil\\u000A2026-01-15 INFO forged\\u000D\\u001B[31m\\u202E", listed);

        var error = Assert.Single(Alerts.Errors(Alerts.ValidBody.TrimEnd('}') + $",{json}:1,{json}:2}}"));
        Assert.Equal(listed, error.Field);
        Assert.DoesNotContain(error.Field, c => Printable.IsUnsafe(c));
    }

    [Fact]
    public void A_time_far_in_the_future_is_refused_until_the_clock_catches_up()
    {
        var clock = new FakeTimeProvider(Clocks.Now);
        var body = Alerts.With("time", "\"2026-01-15T14:36:00Z\""); // six minutes ahead
        const string reason = "is more than 5 minutes in the future: check the alert's clock and time zone (use {{timenow}}, UTC)";

        Alerts.AssertSingleError(body, "time", reason, clock);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(Alerts.Errors(body, clock));
    }

    [Theory]
    [InlineData("1768487340")] // epoch seconds read as milliseconds: January 1970
    [InlineData("\"1768487340\"")]
    [InlineData("946684799999")] // one millisecond before 2000
    [InlineData("0")]
    [InlineData("\"1999-12-31T23:59:59Z\"")]
    [InlineData("\"1970-01-01T00:00:00Z\"")]
    [InlineData("\"0001-01-01T00:00:00Z\"")]
    public void A_time_before_2000_is_refused_whatever_its_form(string json) =>
        Alerts.AssertSingleError(
            Alerts.With("time", json), "time", "is before 2000-01-01: send {{timenow}} or epoch milliseconds (not seconds)");

    [Theory]
    [InlineData("946684800000")]
    [InlineData("\"2000-01-01T00:00:00Z\"")]
    public void A_time_from_2000_on_is_accepted_whatever_its_form(string json) =>
        Assert.Empty(Alerts.Errors(Alerts.With("time", json)));

    [Fact]
    public void A_time_within_the_allowed_clock_skew_is_accepted() =>
        Assert.Empty(Alerts.Errors(Alerts.With("time", "\"2026-01-15T14:35:00Z\"")));

    [Fact]
    public void A_local_time_sent_as_utc_hours_ahead_is_refused() =>
        Alerts.AssertSingleError(
            Alerts.With("time", "\"2026-01-15T20:00:00\""), "time",
            "is more than 5 minutes in the future: check the alert's clock and time zone (use {{timenow}}, UTC)");

    [Theory]
    [InlineData("\"bad \\u0001 byte\"")]
    [InlineData("\"nul \\u0000\"")]
    [InlineData("\"escape \\u001b[31m\"")]
    [InlineData("\"del \\u007f\"")]
    public void Comment_must_not_hold_control_characters(string json) =>
        Alerts.AssertSingleError(Alerts.With("comment", json), "comment", "must be at most 500 characters without control characters");

    [Fact]
    public void Comment_may_hold_line_breaks_and_tabs_up_to_500_characters()
    {
        Assert.Empty(Alerts.Errors(Alerts.With("comment", "\"line 1\\nline 2\\r\\n\\tindented\"")));
        Assert.Empty(Alerts.Errors(Alerts.With("comment", $"\"{new string('c', 500)}\"")));
        Alerts.AssertSingleError(
            Alerts.With("comment", $"\"{new string('c', 501)}\""), "comment", "must be at most 500 characters without control characters");
    }

    [Theory]
    [InlineData("\"BIN ANCE\"")]
    [InlineData("\"\"")]
    [InlineData("\"ABCDEFGHIJKLMNOPQRSTU\"")] // 21
    public void Exchange_must_be_a_short_name(string json) =>
        Alerts.AssertSingleError(Alerts.With("exchange", json), "exchange", "must be 1 to 20 of letters, digits, _ . and -");

    [Theory]
    [InlineData("quantity", "0")]
    [InlineData("stopLoss", "-1")]
    [InlineData("takeProfit", "\"0\"")]
    public void Optional_amounts_must_be_positive(string field, string json) =>
        Alerts.AssertSingleError(Alerts.With(field, json), field, "must be greater than 0");

    [Theory]
    [InlineData("symbol", "\"BTC USDT\"", "may contain only letters, digits and . : _ / ! -")]
    [InlineData("symbol", "\"A:B:C\"", "must be TICKER or EXCHANGE:TICKER")]
    [InlineData("symbol", "\"\"", "is required")]
    [InlineData("action", "\"hold\"", "must be one of " + SignalActions.Accepted)]
    [InlineData("action", "\"\"", "must be one of " + SignalActions.Accepted)]
    [InlineData("action", "\"cancel\"", "must be one of " + SignalActions.Accepted)]
    [InlineData("action", "\"reverse\"", "must be one of " + SignalActions.Accepted)]
    [InlineData("timeframe", "\"25h\"", "must be a TradingView interval: " + Timeframe.Accepted)]
    [InlineData("timeframe", "0", "must be a TradingView interval: " + Timeframe.Accepted)]
    [InlineData("timeframe", "15.5", "must be a TradingView interval: " + Timeframe.Accepted)]
    public void Values_of_the_right_type_that_break_a_rule_are_named(string field, string json, string reason) =>
        Alerts.AssertSingleError(Alerts.With(field, json), field, reason);

    [Fact]
    public void A_text_value_longer_than_2048_bytes_is_refused_unread()
    {
        Alerts.AssertSingleError(Alerts.With("symbol", $"\"{new string('A', 3000)}\""), "symbol", "is longer than 2048 bytes");
        Alerts.AssertSingleError(Alerts.With("comment", $"\"{new string('c', 3000)}\""), "comment", "is longer than 2048 bytes");
    }

    [Fact]
    public void Every_failed_field_is_listed_once_in_one_answer_read_errors_first()
    {
        var errors = Alerts.Errors("""
            {"symbol":"BTC USDT","action":"hold","timeframe":"61S","price":-3,"confidence":101,"source":"My Strat",
             "id":"","time":"soon","exchange":"A B","quantity":0,"stopLoss":"x","takeProfit":-1,"comment":"\u0007","passphrase":[]}
            """);

        Assert.Equal(
            ["time", "passphrase", "symbol", "action", "timeframe", "price", "confidence", "id", "exchange", "quantity", "takeProfit", "comment"],
            errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
    }
}
