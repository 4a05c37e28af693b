using System.Collections.Frozen;

namespace Kyperian.Domain.Alerts;

/// <summary>The fields an alert can fill, whatever a format calls them.</summary>
public enum AlertField
{
    Symbol,
    Action,
    Direction,
    MarketPosition,
    PreviousMarketPosition,
    PositionSize,
    Timeframe,
    Price,
    Confidence,
    Source,
    Id,
    Time,
    Exchange,
    Quantity,
    StopLoss,
    TakeProfit,
    Comment,
}

public enum AlertBodyKind
{
    Json,
    Text,
}

/// <summary>
/// One message format traders already send: its name (for <c>?format=</c> and /validate), the fields that give it
/// away, and what each of its field names means. Keys are lower case with <c>-</c> read as <c>_</c>; a dot is a
/// nested object (<c>strategy.order_action</c>). A key with no field is theirs and passes through.
/// </summary>
public sealed class AlertFormat
{
    internal AlertFormat(string name, string title, AlertBodyKind kind, string[] signature, FrozenDictionary<string, AlertAlias> aliases)
    {
        Name = name;
        Title = title;
        Kind = kind;
        Signature = signature;
        Aliases = aliases;
    }

    /// <summary>The name used in <c>?format=</c>.</summary>
    public string Name { get; }

    /// <summary>The product or shape, as a trader would call it.</summary>
    public string Title { get; }

    public AlertBodyKind Kind { get; }

    internal string[] Signature { get; }

    internal FrozenDictionary<string, AlertAlias> Aliases { get; }

    public override string ToString() => Name;
}

/// <summary>What a key means in a format: the field (null when it is the bridge's own) and its rank, lower wins.</summary>
internal readonly record struct AlertAlias(AlertField? Field, int Rank);

/// <summary>
/// Every format Kyperian reads, in one table. Adding a format is a few lines here: its signature keys, and the keys
/// it means differently from the common ones below. A name that can only mean one field belongs in the common list,
/// so that a message recognised as another format still reads it.
/// </summary>
public static class AlertFormats
{
    // Ranks: a field the alert names directly beats one nested in a template object, which beats a bar value
    // (the close is a price, but not the order's); a URL default ranks below anything in the body.
    internal const int Direct = 0;
    internal const int Nested = 1;
    internal const int Fallback = 2;
    internal const int BarValue = 3;
    internal const int UrlDefault = 100;

    /// <summary>Field names every JSON and KEY=VALUE format shares.</summary>
    private static readonly (string Key, AlertField? Field, int Rank)[] Common =
    [
        ("symbol", AlertField.Symbol, Direct), ("ticker", AlertField.Symbol, Direct), ("tv_instrument", AlertField.Symbol, Direct),
        ("instrument", AlertField.Symbol, Direct),
        ("data.symbol", AlertField.Symbol, Nested), ("data.ticker", AlertField.Symbol, Nested),
        ("action", AlertField.Action, Direct), ("side", AlertField.Action, Direct), ("signal", AlertField.Action, Direct),
        ("order_action", AlertField.Action, Direct), ("strategy.order_action", AlertField.Action, Nested),
        ("strategy.order.action", AlertField.Action, Nested), ("order.action", AlertField.Action, Nested),
        ("order.side", AlertField.Action, Nested), ("data.action", AlertField.Action, Nested), ("data.side", AlertField.Action, Nested),
        ("data.strategy_order_action", AlertField.Action, Nested), ("order", AlertField.Action, Fallback),
        ("direction", AlertField.Direction, Direct),
        ("sentiment", AlertField.MarketPosition, Direct), ("market_position", AlertField.MarketPosition, Direct),
        ("marketposition", AlertField.MarketPosition, Direct), ("strategy.market_position", AlertField.MarketPosition, Nested),
        ("data.market_position", AlertField.MarketPosition, Nested), ("strategy_info.market_position", AlertField.MarketPosition, Nested),
        ("prev_market_position", AlertField.PreviousMarketPosition, Direct), ("prev_position", AlertField.PreviousMarketPosition, Direct),
        ("prevmarketposition", AlertField.PreviousMarketPosition, Direct),
        ("strategy.prev_market_position", AlertField.PreviousMarketPosition, Nested),
        ("data.strategy_prev_market_position", AlertField.PreviousMarketPosition, Nested),
        ("strategy_info.prev_market_position", AlertField.PreviousMarketPosition, Nested),
        ("position_size", AlertField.PositionSize, Direct), ("strategy.position_size", AlertField.PositionSize, Nested),
        ("timeframe", AlertField.Timeframe, Direct), ("interval", AlertField.Timeframe, Direct), ("tf", AlertField.Timeframe, Direct),
        ("bar.interval", AlertField.Timeframe, Nested),
        ("price", AlertField.Price, Direct), ("order_price", AlertField.Price, Nested), ("entry_price", AlertField.Price, Nested),
        ("signalprice", AlertField.Price, Nested), ("trigger_price", AlertField.Price, Nested), ("limitprice", AlertField.Price, Nested),
        ("strategy.order_price", AlertField.Price, Nested), ("strategy.order.price", AlertField.Price, Nested),
        ("order.price", AlertField.Price, Nested), ("data.price", AlertField.Price, Nested),
        ("data.strategy_order_price", AlertField.Price, Nested), ("close", AlertField.Price, BarValue), ("bar.close", AlertField.Price, BarValue),
        ("confidence", AlertField.Confidence, Direct),
        ("source", AlertField.Source, Direct),
        ("id", AlertField.Id, Direct), ("alert_id", AlertField.Id, Direct),
        ("time", AlertField.Time, Direct), ("timestamp", AlertField.Time, Direct), ("timenow", AlertField.Time, Direct),
        ("bar.time", AlertField.Time, Nested),
        ("exchange", AlertField.Exchange, Direct), ("tv_exchange", AlertField.Exchange, Direct),
        ("quantity", AlertField.Quantity, Direct), ("qty", AlertField.Quantity, Direct), ("contracts", AlertField.Quantity, Direct),
        ("order_contracts", AlertField.Quantity, Direct), ("amount", AlertField.Quantity, Fallback), ("size", AlertField.Quantity, Fallback),
        ("strategy.order_contracts", AlertField.Quantity, Nested), ("strategy.order.contracts", AlertField.Quantity, Nested),
        ("order.amount", AlertField.Quantity, Nested), ("order.quantity", AlertField.Quantity, Nested), ("data.quantity", AlertField.Quantity, Nested),
        ("stoploss", AlertField.StopLoss, Direct), ("stop_loss", AlertField.StopLoss, Direct), ("sl_price", AlertField.StopLoss, Direct),
        ("stoploss.stopprice", AlertField.StopLoss, Nested),
        ("takeprofit", AlertField.TakeProfit, Direct), ("take_profit", AlertField.TakeProfit, Direct), ("tp_price", AlertField.TakeProfit, Direct),
        ("takeprofit.limitprice", AlertField.TakeProfit, Nested),
        ("comment", AlertField.Comment, Direct),

        // Template values that describe the chart or the bridge rather than the order.
        ("bar.open", null, BarValue), ("bar.high", null, BarValue), ("bar.low", null, BarValue), ("bar.volume", null, BarValue),
        ("strategy.order_id", null, Nested), ("strategy.order.id", null, Nested), ("strategy.market_position_size", null, Nested),
        ("strategy.prev_market_position_size", null, Nested), ("market_position_size", null, Direct),
        ("prev_market_position_size", null, Direct),
    ];

    public static readonly AlertFormat Kyperian = Json(
        "kyperian", "Kyperian (or a generic JSON alert)", signature: [], own: []);

    public static readonly AlertFormat TradersPost = Json(
        "traderspost", "TradersPost",
        signature: ["sentiment", "signalprice", "limitprice", "takeprofit.percent", "takeprofit.limitprice", "stoploss.type", "stoploss.percent"],
        own:
        [
            ("ordertype", null, Direct), ("quantitytype", null, Direct), ("extendedhours", null, Direct), ("timeinforce", null, Direct),
            ("takeprofit.percent", null, Nested), ("takeprofit.amount", null, Nested), ("stoploss.type", null, Nested),
            ("stoploss.percent", null, Nested), ("stoploss.amount", null, Nested), ("stoploss.limitprice", null, Nested),
            ("stoploss.trailamount", null, Nested), ("stoploss.trailpercent", null, Nested),
        ]);

    public static readonly AlertFormat ThreeCommas = Json(
        "3commas", "3Commas signal bot",
        signature: ["tv_instrument", "tv_exchange", "trigger_price", "bot_uuid", "max_lag", "strategy_info.market_position"],
        own:
        [
            ("strategy_info.market_position_size", null, Nested), ("strategy_info.prev_market_position_size", null, Nested),
            ("secret", null, Direct), ("bot_uuid", null, Direct), ("max_lag", null, Direct), ("order.currency_type", null, Nested),
        ]);

    public static readonly AlertFormat Okx = Json(
        "okx", "OKX signal bot",
        signature: ["instrument", "signaltoken", "marketposition", "prevmarketposition", "investmenttype", "maxlag", "orderpriceoffset"],
        own:
        [
            ("signaltoken", null, Direct), ("maxlag", null, Direct),
            ("investmenttype", null, Direct), ("ordertype", null, Direct), ("orderpriceoffset", null, Direct),

            // OKX's id is {{strategy.order.id}}, which repeats ("Long"): as our id it would make every later alert a replay.
            ("id", null, Direct),

            // Its amount is a sum of money or a percentage depending on investmentType, not a quantity.
            ("amount", null, Direct),
        ]);

    public static readonly AlertFormat StrategyTemplate = Json(
        "strategy-json", "Nested strategy{}/bar{}/order{}/data{} JSON of open-source bots",
        signature:
        [
            "strategy.order_action", "strategy.order.action", "strategy.position_size", "strategy.market_position",
            "strategy.order_price", "bar.close", "bar.time", "data.action", "data.strategy_order_action", "order.side", "order.action",
        ],
        own: []);

    public static readonly AlertFormat PineConnector = Text(
        "pineconnector", "PineConnector (LicenseID,command,symbol[,params])",
        own:
        [
            ("command", AlertField.Action, Direct), ("license", null, Direct), ("risk", null, Direct), ("secret", null, Direct),

            // PineConnector reads sl, tp and price as pips, prices or percentages depending on the EA: not ours to guess.
            ("sl", null, Direct), ("tp", null, Direct), ("price", null, Direct), ("vol_lots", null, Direct), ("vol_dollar", null, Direct),
            ("vol_pct", null, Direct), ("sl_pips", null, Direct), ("tp_pips", null, Direct), ("sl_pct", null, Direct), ("tp_pct", null, Direct),
            ("spread", null, Direct), ("accfilter", null, Direct),
        ]);

    public static readonly AlertFormat TradingViewDefault = Text(
        "tradingview-default", "TradingView's default strategy message (order buy @ 1 filled on TICKER. New strategy position is 1)", own: []);

    public static readonly AlertFormat Alertatron = Text(
        "alertatron", "Alertatron (Keys(SYMBOL) { market(side=buy, ...); })", own: [("keys", null, Direct)]);

    public static readonly AlertFormat KeyValue = Text(
        "key-value", "KEY=VALUE pairs (separated by spaces, commas, pipes, semicolons or new lines)", own: []);

    /// <summary>Every format, JSON ones in the order recognition prefers them on a tie.</summary>
    public static readonly IReadOnlyList<AlertFormat> All =
        [Kyperian, TradersPost, ThreeCommas, Okx, StrategyTemplate, PineConnector, TradingViewDefault, Alertatron, KeyValue];

    /// <summary>Keys under which a JSON object is read as part of the alert rather than skipped (every prefix in the table).</summary>
    internal static readonly FrozenSet<string> Containers = BuildContainers();

    /// <summary>
    /// The spellings of every name in the table (each key segment, and the camelCase our own fields and the bridges
    /// use), to their lookup key: reading a known name allocates nothing.
    /// </summary>
    internal static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> KnownNames = BuildKnownNames();

    public static string Names => string.Join(", ", All.Select(f => f.Name));

    public static AlertFormat? Find(string? name)
    {
        if (name is null)
        {
            return null;
        }

        foreach (var format in All)
        {
            if (format.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return format;
            }
        }

        return null;
    }

    /// <summary>The JSON format whose signature keys the body carries most; ours when none.</summary>
    internal static AlertFormat RecognizeJson(IReadOnlyList<RawField> fields)
    {
        var best = Kyperian;
        var bestScore = 0;
        foreach (var format in All)
        {
            if (format.Kind != AlertBodyKind.Json || format.Signature.Length == 0)
            {
                continue;
            }

            var score = 0;
            foreach (var field in fields)
            {
                if (Array.IndexOf(format.Signature, field.Key) >= 0)
                {
                    score++;
                }
            }

            if (score > bestScore)
            {
                (best, bestScore) = (format, score);
            }
        }

        return best;
    }

    /// <summary>Lower case, with <c>-</c> read as <c>_</c>: <c>Order-Action</c> and <c>order_action</c> are one key.</summary>
    internal static string NormalizeKey(string name) => IsNormal(name) ? name : NormalizeKey(name.AsSpan());

    internal static string NormalizeKey(ReadOnlySpan<char> name)
    {
        Span<char> buffer = name.Length <= 128 ? stackalloc char[name.Length] : new char[name.Length];
        var changed = false;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var normal = c == '-' ? '_' : char.ToLowerInvariant(c);
            changed |= normal != c;
            buffer[i] = normal;
        }

        return changed ? new string(buffer) : name.ToString();
    }

    private static bool IsNormal(string name)
    {
        foreach (var c in name)
        {
            if (c == '-' || char.IsAsciiLetterUpper(c) || c > '\u007f')
            {
                return false;
            }
        }

        return true;
    }

    private static AlertFormat Json(string name, string title, string[] signature, (string, AlertField?, int)[] own) =>
        new(name, title, AlertBodyKind.Json, signature, Merge(own));

    private static AlertFormat Text(string name, string title, (string, AlertField?, int)[] own) =>
        new(name, title, AlertBodyKind.Text, [], Merge(own));

    private static FrozenDictionary<string, AlertAlias> Merge((string Key, AlertField? Field, int Rank)[] own)
    {
        var aliases = new Dictionary<string, AlertAlias>(StringComparer.Ordinal);
        foreach (var (key, field, rank) in Common)
        {
            aliases[key] = new AlertAlias(field, rank);
        }

        foreach (var (key, field, rank) in own)
        {
            aliases[key] = new AlertAlias(field, rank);
        }

        return aliases.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> BuildKnownNames()
    {
        string[] camelCase =
        [
            AlertFields.StopLoss, AlertFields.TakeProfit, AlertFields.MarketPosition, AlertFields.PreviousMarketPosition,
            "signalPrice", "limitPrice", "stopPrice", "signalToken", "investmentType", "maxLag", "orderType", "orderPriceOffset",
            "quantityType", "extendedHours", "timeInForce", "trailAmount", "trailPercent", "passphrase", "secret", "key",
        ];
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var format in All)
        {
            foreach (var key in format.Aliases.Keys)
            {
                foreach (var segment in key.Split('.'))
                {
                    names.TryAdd(segment, segment);
                }
            }
        }

        foreach (var name in camelCase)
        {
            names.TryAdd(name, NormalizeKey(name));
        }

        return names.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private static FrozenSet<string> BuildContainers()
    {
        var containers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var format in All)
        {
            foreach (var key in format.Aliases.Keys)
            {
                for (var dot = key.IndexOf('.'); dot > 0; dot = key.IndexOf('.', dot + 1))
                {
                    containers.Add(key[..dot]);
                }
            }
        }

        return containers.ToFrozenSet(StringComparer.Ordinal);
    }
}
