using Kyperian.Api.Tests.Http.Infrastructure;
using static Kyperian.Api.Tests.Http.Infrastructure.TradingApp;

namespace Kyperian.Api.Tests.Http;

/// <summary>
/// Thursday 15 January 2026 on BTCUSDT over HTTP, as a trader with alerts on 1D, 4h, 1h and 15m (<c>{{timenow}}</c>)
/// lives it, default settings: bar closes decided together, a conflict held back, an exit, a reversal, a loss past the
/// daily limit that recovery does not lift, and Friday trading again.
/// </summary>
public sealed class TradingDayTests
{
    [Fact]
    public async Task A_trading_day()
    {
        await using var app = new TradingApp(At(-1));
        await app.KnowsAsync("BTCUSDT", "1D", "240", "60", "15");

        // 00:00 The daily bar closes up, without conviction, and nothing else speaks: it waits for the other
        // timeframes closing at midnight, then stands alone.
        app.MoveTo(At(0, 0, 1.2));
        var midnight = await app.DecideAsync("BTCUSDT", "buy", "1D", 45, 100m, At(0, 0, 1));
        Assert.Equal("VETO", midnight.Verdict());
        Assert.Equal(["LOW_CONFIDENCE", "TOO_FEW_TIMEFRAMES", "NO_HIGHER_TIMEFRAME"], midnight.Reasons());
        Assert.Equal("No live timeframe above 1D agrees with this BUY.", (string?)midnight.Explanation("NO_HIGHER_TIMEFRAME")["text"]);

        // 04:00 The 4h, 15m and 1h close within a second: one EXECUTE, on the 15m, with all three live.
        app.MoveTo(At(4, 0, 1.1));
        var h4 = await app.AlertAsync("BTCUSDT", "buy", "240", 75, 101m, At(4, 0, 1));
        app.MoveTo(At(4, 0, 1.4));
        var m15 = await app.AlertAsync("BTCUSDT", "buy", "15", 80, 101.2m, At(4, 0, 1));
        app.MoveTo(At(4, 0, 1.9));
        var h1 = await app.AlertAsync("BTCUSDT", "buy", "60", 70, 101.1m, At(4, 0, 1));
        var entry = await app.DecisionAsync(h1);
        Assert.Equal(("EXECUTE", "EnterLong"), (entry.Verdict(), entry.Action()));
        Assert.Equal([h4, m15, h1], entry["memberSignalIds"].Strings());
        Assert.Equal((string?)entry["decisionId"], (string?)(await app.DecisionAsync(h4))["decisionId"]);
        Assert.Equal(101.2, entry["price"].Number());
        Assert.Equal(["15m", "1h", "4h", "1D"], entry["inputs"]!.AsArray().Where(i => (bool)i!["live"]!).Select(i => (string)i!["timeframe"]!));
        Assert.All(entry["inputs"]!.AsArray(), i => Assert.Equal(1, (int)i!["direction"]!));
        Assert.Equal(0.512, entry["positionSizePct"].Number(), 3); // 1 % × score 0.64 × confidence 0.8
        await app.GetWhenAsync("/positions/BTCUSDT", p => p["position"].Side() == "Long");

        // 05:00 The 1h turns to sell alone (the 15m stays quiet): the 4h outvotes it, the long stays.
        app.MoveTo(At(5, 0, 1.3));
        var conflict = await app.DecideAsync("BTCUSDT", "sell", "60", 85, 100.4m, At(5, 0, 1));
        Assert.Equal(("VETO", "Reverse"), (conflict.Verdict(), conflict.Action()));
        Assert.Equal(["HTF_CONFLICT", "WEAK_CONFLUENCE", "TOO_FEW_TIMEFRAMES", "NO_HIGHER_TIMEFRAME"], conflict.Reasons());
        Assert.Equal("4h is a live BUY at 75 % against this SELL.", (string?)conflict.Explanation("HTF_CONFLICT")["text"]);
        Assert.Equal("Long", conflict["positionAfter"].Side());

        // 06:15 The 15m says close: decided at once, the long closed at 103.
        app.MoveTo(At(6, 15, 1.1));
        var exit = await app.DecideAsync("BTCUSDT", "close", "15", null, 103m, At(6, 15, 1));
        Assert.Equal(("EXECUTE", "Exit"), (exit.Verdict(), exit.Action()));
        Assert.Equal(1.778656, exit["closedTrade"]!["returnPct"].Number(), 6);

        // 08:00 Everything lines up long again.
        app.MoveTo(At(8, 0, 1.1));
        await app.AlertAsync("BTCUSDT", "buy", "240", 80, 104m, At(8, 0, 1));
        await app.AlertAsync("BTCUSDT", "buy", "60", 75, 104m, At(8, 0, 1));
        var again = await app.DecisionAsync(await app.AlertAsync("BTCUSDT", "buy", "15", 80, 104m, At(8, 0, 1)));
        Assert.Equal(("EXECUTE", "EnterLong"), (again.Verdict(), again.Action()));

        // 12:00 The 4h, 1h and 15m turn to sell at the close: the long becomes a short in one decision.
        app.MoveTo(At(12, 0, 1.1));
        await app.AlertAsync("BTCUSDT", "sell", "15", 80, 99m, At(12, 0, 1));
        await app.AlertAsync("BTCUSDT", "sell", "240", 85, 99m, At(12, 0, 1));
        var reversal = await app.DecisionAsync(await app.AlertAsync("BTCUSDT", "sell", "60", 80, 99m, At(12, 0, 1)));
        Assert.Equal(("EXECUTE", "Reverse"), (reversal.Verdict(), reversal.Action()));
        Assert.Equal(("Long", "Short"), (reversal["positionBefore"].Side(), reversal["positionAfter"].Side()));
        Assert.Equal((104.0, 99.0), (reversal["closedTrade"]!["entryPrice"].Number(), reversal["closedTrade"]!["exitPrice"].Number()));
        await app.GetWhenAsync("/positions/BTCUSDT", p => p["closedTrades"]!.AsArray().Count == 2 && p["position"].Side() == "Short");

        // 12:30 The broker account had a bad morning: a warning, then the breach.
        app.MoveTo(At(12, 30));
        await app.ReportPnlAsync(-4.2);
        await app.ReportPnlAsync(-1.3);
        Assert.Equal(["breach", "warning"], (await app.GetAsync("/risk/events")).AsArray().Select(e => (string)e!["kind"]!));

        // 13:15 Exits are never held back by a limit: the short is closed.
        app.MoveTo(At(13, 15, 1.1));
        var cover = await app.DecideAsync("BTCUSDT", "close", "15", null, 98m, At(13, 15, 1));
        Assert.Equal(("EXECUTE", "Exit"), (cover.Verdict(), cover.Action()));
        await app.GetWhenAsync("/positions", p => p.AsArray().Count == 0);

        // 16:00 A clean long setup is vetoed by the daily limit alone, until the next trading day.
        app.MoveTo(At(16, 0, 1.1));
        await app.AlertAsync("BTCUSDT", "buy", "240", 80, 100m, At(16, 0, 1));
        await app.AlertAsync("BTCUSDT", "buy", "60", 80, 100m, At(16, 0, 1));
        var limited = await app.DecisionAsync(await app.AlertAsync("BTCUSDT", "buy", "15", 80, 100m, At(16, 0, 1)));
        Assert.Equal(["RISK_LIMIT"], limited.Reasons());
        Assert.InRange(limited.Explanation("RISK_LIMIT")["remainingSeconds"].Number(), (8 * 3600) - 5, 8 * 3600);

        // 17:00 +1 % brings the day back to −4.5 %: the limit holds all the same.
        app.MoveTo(At(17, 0));
        await app.ReportPnlAsync(1);
        app.MoveTo(At(20, 0, 1.1));
        await app.AlertAsync("BTCUSDT", "buy", "240", 85, 101m, At(20, 0, 1));
        await app.AlertAsync("BTCUSDT", "buy", "60", 85, 101m, At(20, 0, 1));
        var stillLimited = await app.DecisionAsync(await app.AlertAsync("BTCUSDT", "buy", "15", 85, 101m, At(20, 0, 1)));
        Assert.Equal(["RISK_LIMIT"], stillLimited.Reasons());
        Assert.Equal(
            "The day's loss reached 5.5 % (now 4.5 %) from the day's starting equity, at the 5 % daily limit: no entries until the next trading day starts at 2026-01-16 00:00 UTC.",
            (string?)stillLimited.Explanation("RISK_LIMIT")["text"]);

        // Friday 00:00 A new trading day: the daily, 4h, 1h and 15m close together and the long executes.
        app.MoveTo(At(24, 0, 1.1));
        var friday = new[]
        {
            await app.AlertAsync("BTCUSDT", "buy", "1D", 70, 102m, At(24, 0, 1)),
            await app.AlertAsync("BTCUSDT", "buy", "15", 80, 102m, At(24, 0, 1)),
            await app.AlertAsync("BTCUSDT", "buy", "240", 80, 102m, At(24, 0, 1)),
            await app.AlertAsync("BTCUSDT", "buy", "60", 80, 102m, At(24, 0, 1)),
        };
        var fridayEntry = await app.DecisionAsync(friday[^1]);
        Assert.Equal(("EXECUTE", "EnterLong"), (fridayEntry.Verdict(), fridayEntry.Action()));
        Assert.Equal(friday.Order(StringComparer.Ordinal), fridayEntry["memberSignalIds"].Strings().Order(StringComparer.Ordinal));
        Assert.Contains((await app.GetAsync("/risk/events")).AsArray(), e => (string?)e!["kind"] == "resume" && (string?)e["limit"] == "dailyLoss");

        // The day in the books: the decisions of the symbol, newest first, and the P&L reports in the audit log.
        var decisions = (await app.GetAsync("/decisions?symbol=BTCUSDT&limit=50")).AsArray();
        Assert.Equal((string?)fridayEntry["decisionId"], (string?)decisions[0]!["decisionId"]);
        Assert.Equal(3, (await app.GetAsync("/audit")).AsArray().Count(a => (string?)a!["kind"] == "pnlReport"));
    }
}
