using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

/// <summary>Properties over messages assembled from every format's field names and the values bridges send.</summary>
public class AlertFormatProperties
{
    private static readonly string[] SymbolKeys = ["symbol", "ticker", "tv_instrument", "instrument"];
    private static readonly string[] ActionKeys = ["action", "side", "signal", "order_action", "direction"];
    private static readonly string[] PositionKeys = ["sentiment", "market_position", "marketPosition"];
    private static readonly string[] PriceKeys = ["price", "signalPrice", "trigger_price", "close", "entry_price"];
    private static readonly string[] ActionWords =
    [
        "buy", "sell", "LONG", "short", "exit", "flat", "ENTER_LONG", "exit_short", "closelong", "close-short", "closeall",
        "buy_to_open", "sell_to_close", "entry", "hold", "cancel",
    ];

    private static readonly string[] Positions = ["long", "short", "flat", "bullish", "bearish", "none"];
    private static readonly string[] Intervals = ["1", "5", "15", "60", "240", "D", "1W", "30S", "4h"];
    private static readonly string[] Symbols = ["BTCUSDT", "BINANCE:ETHUSDT", "ES1!", "EUR/USD", "BTC-USDT-SWAP"];

    private static readonly Gen<(string Key, string Json)[]> Messages =
        from symbolKey in Gen.Elements(SymbolKeys)
        from symbol in Gen.Elements(Symbols)
        from actionKey in Gen.Elements(ActionKeys)
        from action in Gen.Elements(ActionWords)
        from withPosition in ArbMap.Default.GeneratorFor<bool>()
        from positionKey in Gen.Elements(PositionKeys)
        from position in Gen.Elements(Positions)
        from withPrice in ArbMap.Default.GeneratorFor<bool>()
        from priceKey in Gen.Elements(PriceKeys)
        from price in Gen.Choose(1, 100_000)
        from withInterval in ArbMap.Default.GeneratorFor<bool>()
        from interval in Gen.Elements(Intervals)
        select new[]
        {
            (symbolKey, Quote(symbol)),
            (actionKey, Quote(action)),
            withPosition ? (positionKey, Quote(position)) : default,
            withPrice ? (priceKey, price.ToString(System.Globalization.CultureInfo.InvariantCulture)) : default,
            withInterval ? ("interval", Quote(interval)) : default,
        }.Where(p => p.Item1 is not null).ToArray();

    [Property(MaxTest = 500)]
    public Property Every_accepted_alert_is_a_buy_sell_or_close_with_a_symbol_and_a_timeframe() =>
        Prop.ForAll(Messages.ToArbitrary(), Gen.Elements(Intervals).ToArbitrary(), (message, urlInterval) =>
        {
            var check = Validate(Body(message), new AlertDefaults { Timeframe = urlInterval });
            if (check.Alert is not { } alert)
            {
                return check.Errors.Count > 0;
            }

            var signal = AlertNormalizer.ToSignal(alert, Clocks.Now, Alerts.DedupeWindow).Signal;
            return signal.Action is SignalAction.Buy or SignalAction.Sell or SignalAction.Close
                && signal.Symbol.Value.Length > 0
                && signal.Timeframe.Seconds > 0;
        });

    [Property(MaxTest = 300)]
    public Property A_body_field_always_wins_over_the_url(NonNegativeInt bodyPick, NonNegativeInt urlPick, NonNegativeInt symbolPick) =>
        Prop.ForAll(Messages.ToArbitrary(), message =>
        {
            var bodyInterval = Intervals[bodyPick.Get % Intervals.Length];
            var urlInterval = Intervals[urlPick.Get % Intervals.Length];
            var body = message.Where(p => p.Key != "interval").Append(("interval", Quote(bodyInterval))).ToArray();
            var defaults = new AlertDefaults { Timeframe = urlInterval, Symbol = Symbols[symbolPick.Get % Symbols.Length], Source = "from-url" };

            var check = Validate(Body(body), defaults);
            if (check.Alert is not { } alert)
            {
                return true;
            }

            Symbol.TryParse(JsonSerializer.Deserialize<string>(message[0].Json), out var bodySymbol, out _, out _);
            return alert.Timeframe == Timeframe.Parse(bodyInterval) && alert.Symbol == bodySymbol;
        });

    [Property(MaxTest = 300)]
    public Property No_reordering_of_fields_changes_the_result() =>
        Prop.ForAll(Messages.ToArbitrary(), ArbMap.Default.GeneratorFor<int>().ToArbitrary(), (message, seed) =>
        {
            var random = new Random(seed);
            var shuffled = message.OrderBy(_ => random.Next()).ToArray();
            var defaults = new AlertDefaults { Timeframe = "15" };
            return Outcome(Validate(Body(message), defaults)) == Outcome(Validate(Body(shuffled), defaults))
                && Outcome(Validate(KeyValue(message), defaults)) == Outcome(Validate(KeyValue(shuffled), defaults));
        });

    private static AlertCheck Validate(string body, AlertDefaults defaults) =>
        new AlertValidator(Clocks.Fixed()).Validate(AlertReader.Read(Encoding.UTF8.GetBytes(body), defaults, AlertReaderOptions.Default));

    private static string Outcome(AlertCheck check) => check.Alert is { } alert
        ? AlertNormalizer.ToSignal(alert, Clocks.Now, Alerts.DedupeWindow).Signal.ToString()
        : string.Join(",", check.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));

    private static string Body((string Key, string Json)[] fields) =>
        "{" + string.Join(",", fields.Select(f => $"{JsonSerializer.Serialize(f.Key)}:{f.Json}")) + "}";

    private static string KeyValue((string Key, string Json)[] fields) =>
        string.Join(" ", fields.Select(f => $"{f.Key}={(f.Json.StartsWith('"') ? JsonSerializer.Deserialize<string>(f.Json) : f.Json)}"));

    private static string Quote(string text) => JsonSerializer.Serialize(text);
}
