namespace Kyperian.Api.Application.Notifications;

/// <summary>
/// Templates that turn an EXECUTE into the payload an execution bridge reads, so Kyperian can sit in front of one.
/// Each is written from the bridge's public documentation; the README names the pages. A preset destination only
/// receives <c>decision.execute</c>.
/// </summary>
public static class BridgePresets
{
    public static readonly IReadOnlyDictionary<string, BridgePreset> All = new Dictionary<string, BridgePreset>(StringComparer.OrdinalIgnoreCase)
    {
        // TradersPost signal JSON: ticker and action are required; action buy, sell, exit or reverse; signalPrice is
        // the price the signal saw (a "price" field would make a limit order).
        ["traderspost"] = new(
            "traderspost",
            """{"ticker":"{{symbol}}","action":"{{orderAction}}","signalPrice":{{price}}}""",
            []),

        // 3Commas Signal Bot, TradingView strategy JSON: the bot's secret and uuid come from its page; action is the
        // order side, strategy_info the position after and before, in TradingView's words (long, short, flat).
        ["3commas"] = new(
            "3commas",
            """{"secret":"{{botSecret}}","max_lag":"300","timestamp":"{{time}}","trigger_price":"{{price}}","tv_exchange":"{{exchange}}","tv_instrument":"{{symbol}}","action":"{{side}}","bot_uuid":"{{botUuid}}","strategy_info":{"market_position":"{{position}}","prev_market_position":"{{previousPosition}}"}}""",
            ["botSecret", "botUuid"]),

        // PineConnector alert text: LicenseID,command,symbol[,risk=…]; entries are buy or sell with risk= (read by the
        // EA as its Volume Type says), exits closelong or closeshort.
        ["pineconnector"] = new(
            "pineconnector",
            "{{licenseId}},{{#entry}}{{side}}{{/entry}}{{#exit}}close{{previousPosition}}{{/exit}},{{symbol}}{{#entry}},risk={{sizePct}}{{/entry}}",
            ["licenseId"]),
    };
}

/// <summary>A named bridge template.</summary>
/// <param name="Name">What <c>:Preset</c> names.</param>
/// <param name="Template">The body (see <see cref="NotificationTemplate"/>).</param>
/// <param name="RequiredValues">The destination's <c>:Values:{name}</c> the template needs.</param>
public sealed record BridgePreset(string Name, string Template, IReadOnlyList<string> RequiredValues);
