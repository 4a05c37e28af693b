using System.Text;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

/// <summary>Recognising formats, mapping their fields, URL defaults and whose secret is ours.</summary>
public class AlertFormatTests
{
    private const string ThreeCommas = """
        {"secret":"their-token","max_lag":"300","timestamp":"2026-01-15T14:29:00Z","trigger_price":"64250.5","tv_exchange":"BINANCE",
         "tv_instrument":"BTCUSDT","action":"buy","bot_uuid":"b-1","strategy_info":{"market_position":"long"},"order":{"amount":"0.5","currency_type":"base"}}
        """;

    private static AlertInput Read(string body, AlertDefaults? defaults = null, AlertReaderOptions? options = null) =>
        AlertReader.Read(Encoding.UTF8.GetBytes(body), defaults ?? AlertDefaults.None, options ?? AlertReaderOptions.Default);

    private static AlertCheck Check(string body, AlertDefaults? defaults = null, AlertReaderOptions? options = null) =>
        new AlertValidator(Clocks.Fixed()).Validate(Read(body, defaults, options));

    private static Signal Signal(string body, AlertDefaults? defaults = null)
    {
        var check = Check(body, defaults);
        Assert.Empty(check.Errors);
        return AlertNormalizer.ToSignal(check.Alert!, Clocks.Now, Alerts.DedupeWindow).Signal;
    }

    [Fact]
    public void A_3commas_message_is_recognised_and_each_field_says_how_it_was_read()
    {
        var input = Read(ThreeCommas, new AlertDefaults { Timeframe = "15" });

        Assert.Same(AlertFormats.ThreeCommas, input.Format);
        Assert.Contains(new FieldMapping("tv_instrument", "symbol"), input.Mappings);
        Assert.Contains(new FieldMapping("trigger_price", "price"), input.Mappings);
        Assert.Contains(new FieldMapping("strategy_info.market_position", "marketPosition"), input.Mappings);
        Assert.Contains(new FieldMapping("order.amount", "quantity"), input.Mappings);
        Assert.Contains(new FieldMapping("?interval", "timeframe"), input.Mappings);
        Assert.Contains(input.Mappings, m => m.From == "bot_uuid" && m.Field is null && m.Note!.StartsWith("passed through"));
        Assert.Null(input.UnknownFields);
    }

    [Fact]
    public void Their_secret_is_ours_only_when_passphrase_fields_say_so()
    {
        Assert.Equal("their-token", Read(ThreeCommas).Passphrase);

        var narrowed = new AlertReaderOptions { PassphraseFields = ["passphrase"] };
        var input = Read(ThreeCommas, options: narrowed);
        Assert.Null(input.Passphrase);
        Assert.Contains(input.Mappings, m => m.From == "secret" && m.Field is null);
    }

    [Theory]
    [InlineData("""{"data":{"passphrase":"p"},"symbol":"X","action":"buy"}""")]
    [InlineData("""{"strategy":{"secret":"p"},"symbol":"X","action":"buy"}""")]
    [InlineData("""{"order":{"key":"p"},"symbol":"X","action":"buy"}""")]
    [InlineData("passphrasex=p symbol=X action=buy")]
    public void A_nested_or_lookalike_field_is_never_our_passphrase(string body) => Assert.Null(Read(body).Passphrase);

    [Fact]
    public void Passphrase_field_names_ignore_case_and_dashes_and_two_of_them_are_one_field_given_twice()
    {
        Assert.Equal("p", Read("""{"PassPhrase":"p"}""").Passphrase);
        Assert.Contains(
            Check("""{"passphrase":"a","Secret":"b","symbol":"X","action":"buy","timeframe":"15"}""").Errors,
            e => e.Field == "passphrase" && e.Reason == "is given more than once (passphrase, secret and key are one field)");
    }

    [Fact]
    public void Okx_order_id_and_amount_pass_through_rather_than_becoming_our_id_and_quantity()
    {
        var input = Read("""{"id":"Long","action":"buy","marketPosition":"long","prevMarketPosition":"flat","instrument":"BTC-USDT-SWAP","signalToken":"t","amount":"50"}""");
        Assert.Same(AlertFormats.Okx, input.Format);
        Assert.Null(input.Id);
        Assert.Null(input.Quantity);
    }

    [Fact]
    public void A_url_default_fills_what_the_body_lacks_and_the_body_wins()
    {
        var body = """{"ticker":"BTCUSDT","action":"buy"}""";
        Assert.Equal(TimeSpan.FromMinutes(15), Signal(body, new AlertDefaults { Timeframe = "15" }).Timeframe.Duration);

        var withTimeframe = """{"ticker":"BTCUSDT","action":"buy","interval":"60"}""";
        var input = Read(withTimeframe, new AlertDefaults { Timeframe = "15", Symbol = "ETHUSDT", Confidence = "70", Source = "url" });
        var signal = Signal(withTimeframe, new AlertDefaults { Timeframe = "15", Symbol = "ETHUSDT", Confidence = "70", Source = "url" });
        Assert.Equal(TimeSpan.FromHours(1), signal.Timeframe.Duration);
        Assert.Equal("BTCUSDT", signal.Symbol.Value);
        Assert.Equal(70, signal.Confidence);
        Assert.Equal("url", signal.Source);
        Assert.Contains(new FieldMapping("?interval", "timeframe", "not used: the body gives timeframe"), input.Mappings);
    }

    [Fact]
    public void A_bad_url_default_is_named_like_a_bad_field() =>
        Assert.Contains(Check("""{"ticker":"X","action":"buy"}""", new AlertDefaults { Timeframe = "7x" }).Errors, e => e.Field == "timeframe");

    [Fact]
    public void The_format_parameter_reads_the_body_as_that_format_only()
    {
        Assert.Same(AlertFormats.PineConnector, Read("60123456789,buy,EURUSD,risk=1", new AlertDefaults { Format = "pineconnector" }).Format);
        Assert.True(Read("60123456789,buy,EURUSD,risk=1", new AlertDefaults { Format = "key-value" }).IsUnreadable);

        var unknown = Read("""{"symbol":"X"}""", new AlertDefaults { Format = "nope" });
        Assert.True(unknown.IsUnreadable);
        Assert.Equal("format", Assert.Single(unknown.ReadErrors!).Field);
    }

    [Theory]
    [InlineData("""{"ticker":"X","action":"entry","direction":"short"}""", SignalAction.Sell)]
    [InlineData("""{"ticker":"X","action":"enter","market_position":"long"}""", SignalAction.Buy)]
    [InlineData("""{"ticker":"X","direction":"long"}""", SignalAction.Buy)]
    [InlineData("""{"ticker":"X","action":"exit","direction":"long"}""", SignalAction.Close)]
    [InlineData("""{"ticker":"X","action":"buy","position_size":0}""", SignalAction.Close)]
    [InlineData("""{"ticker":"X","action":"buy","position_size":"-1"}""", SignalAction.Close)]
    [InlineData("""{"ticker":"X","action":"sell","position_size":"-1"}""", SignalAction.Sell)]
    [InlineData("""{"ticker":"X","action":"sell","sentiment":"long"}""", SignalAction.Close)]
    [InlineData("""{"ticker":"X","action":"buy","sentiment":"bearish"}""", SignalAction.Close)]
    [InlineData("""{"ticker":"X","strategy":{"order":{"action":"sell"},"market_position":"short"}}""", SignalAction.Sell)]
    [InlineData("""{"ticker":"X","side":"Buy_To_Open"}""", SignalAction.Buy)]
    [InlineData("""{"ticker":"X","side":"SELL-TO-CLOSE"}""", SignalAction.Close)]
    [InlineData("""{"ticker":"X","signal":"closeAll"}""", SignalAction.Close)]
    [InlineData("""{"ticker":"X","order_action":"long_entry"}""", SignalAction.Buy)]
    [InlineData("""{"ticker":"X","action":"Exit-Short"}""", SignalAction.Close)]
    public void Action_words_and_positions_say_one_action(string body, SignalAction action) =>
        Assert.Equal(action, Signal(body, new AlertDefaults { Timeframe = "15" }).Action);

    [Fact]
    public void An_entry_without_a_side_is_refused_not_guessed() =>
        Assert.Contains(
            Check("""{"ticker":"X","action":"enter"}""", new AlertDefaults { Timeframe = "15" }).Errors,
            e => e.Field == "action" && e.Reason.StartsWith("says to enter but not which side", StringComparison.Ordinal));

    [Fact]
    public void A_message_without_an_action_names_what_was_found_and_what_is_missing()
    {
        var error = Assert.Single(Check("""{"ticker":"BTCUSDT","close":64250.5,"volume":12}""", new AlertDefaults { Timeframe = "15" }).Errors);
        Assert.Equal("action", error.Field);
        Assert.Contains("ticker → symbol", error.Reason);
        Assert.Contains("close → price", error.Reason);
        Assert.Contains("nothing that says buy, sell or close", error.Reason);
    }

    [Fact]
    public void Optional_fields_in_another_shape_are_read_or_warned_about()
    {
        var check = Check(
            """{"ticker":"AMD","action":"buy","price":"None","takeProfit":{"limitPrice":160.5,"percent":10},"stopLoss":{"type":"stop","percent":5},"source":"My Strategy"}""",
            new AlertDefaults { Timeframe = "15" });
        Assert.Empty(check.Errors);
        Assert.Null(check.Alert!.Price);
        Assert.Equal(160.5m, check.Alert.TakeProfit);
        Assert.Equal("my-strategy", check.Alert.Source);
        Assert.Contains(check.Warnings, w => w.StartsWith("price is not a number", StringComparison.Ordinal));
    }

    [Fact]
    public void The_price_is_the_orders_before_a_bar_close()
    {
        var signal = Signal("""{"ticker":"X","bar":{"close":100},"strategy":{"order_action":"buy","order_price":101}}""", new AlertDefaults { Timeframe = "15" });
        Assert.Equal(101m, signal.Price);
        var mappings = Read("""{"ticker":"X","bar":{"close":100},"strategy":{"order_action":"buy","order_price":101}}""").Mappings;
        Assert.Contains(new FieldMapping("bar.close", "price", "not used: strategy.order_price gives price"), mappings);
    }

    [Theory]
    [InlineData("symbol=BTCUSDT action=buy interval=15 price=100")]
    [InlineData("symbol=BTCUSDT,action=buy,interval=15,price=100")]
    [InlineData("symbol=BTCUSDT|action=buy|interval=15|price=100")]
    [InlineData("symbol=BTCUSDT\naction=buy\ninterval=15\nprice=100\n")]
    [InlineData("Symbol=BTCUSDT; Action=BUY; Interval=15; Price=\"100\"")]
    public void Key_value_text_is_read_with_any_separator(string body)
    {
        var signal = Signal(body);
        Assert.Equal(("BTCUSDT", SignalAction.Buy, 900, 100m), (signal.Symbol.Value, signal.Action, signal.Timeframe.Seconds, signal.Price!.Value));
        Assert.Same(AlertFormats.KeyValue, Read(body).Format);
    }

    [Fact]
    public void Tradingview_default_message_reads_contracts_not_a_price()
    {
        var signal = Signal("order buy @ 0.5 filled on BTCUSDT. New strategy position is 1", new AlertDefaults { Timeframe = "15" });
        Assert.Null(signal.Price);
        Assert.Equal(PriceSource.None, signal.PriceSource);
        Assert.Equal(0.5m, signal.Quantity);
    }

    [Fact]
    public void Validate_lists_a_hint_for_every_missing_field()
    {
        var check = Check("""{"ticker":"X","action":"buy"}""");
        Assert.Equal(["timeframe", "price", "confidence", "time"], check.Hints.Select(h => h.Field));
    }

    [Fact]
    public void Every_format_has_a_unique_name_and_find_ignores_case()
    {
        Assert.Equal(AlertFormats.All.Count, AlertFormats.All.Select(f => f.Name).Distinct().Count());
        Assert.Same(AlertFormats.Okx, AlertFormats.Find("OKX"));
    }

    [Theory]
    [InlineData("60123456789,buy,EURUSD,risk=1,comment=\"breakout, retest\"", "EURUSD", SignalAction.Buy)]
    [InlineData("60123456789,CLOSESHORT,GER30", "GER30", SignalAction.Close)]
    [InlineData("Strategy: order BUY @ 3 filled on CME_MINI:ES1!. New strategy position is 3", "ES1!", SignalAction.Buy)]
    [InlineData("MyKeys(XBTUSD) { cancel(which=all); market(side=sell, amount=100); } #bot", "XBTUSD", SignalAction.Sell)]
    [InlineData("MyKeys(XBTUSD) { exitPosition(); }", "XBTUSD", SignalAction.Close)]
    public void Text_formats_read_their_symbol_and_action(string body, string symbol, SignalAction action)
    {
        var signal = Signal(body, new AlertDefaults { Timeframe = "15" });
        Assert.Equal((symbol, action), (signal.Symbol.Value, signal.Action));
    }

    [Fact]
    public void An_alertatron_script_without_an_order_is_refused_naming_what_was_found()
    {
        var error = Assert.Single(Check("MyKeys(XBTUSD) { cancel(which=all); }", new AlertDefaults { Timeframe = "15" }).Errors);
        Assert.Equal("action", error.Field);
        Assert.Contains("(symbol) → symbol", error.Reason);
    }

    [Fact]
    public void Pineconnector_sl_tp_and_price_pass_through_because_their_unit_is_the_eas_setting()
    {
        var input = Read("60123456789,buylimit,EURUSD,price=1.158,sl=50,tp=100,risk=1");
        Assert.Null(input.Price);
        Assert.Null(input.StopLoss);
        Assert.Null(input.TakeProfit);
        Assert.Contains(input.Mappings, m => m.From == "sl" && m.Field is null);
    }
}
