using System.Net;
using System.Text.Json.Nodes;
using Kyperian.Api.Tests.Http.Infrastructure;
using static Kyperian.Api.Tests.Http.Infrastructure.TradingApp;

namespace Kyperian.Api.Tests.Http;

/// <summary>
/// The seven ways the first engine failed a trader with alerts on 4h, 1h and 15m, each over HTTP with the default
/// settings, each failing on that engine. Thursday 15 January 2026 (UTC), each test its own app and symbol.
/// </summary>
public sealed class EngineProblemTests
{
    /// <summary>A long opened by the 04:00 bar close, 4h/1h/15m all buying; returns the decision.</summary>
    private static async Task<JsonNode> OpenLongAt4hCloseAsync(TradingApp app, string symbol)
    {
        await app.KnowsAsync(symbol, "240", "60", "15");
        app.MoveTo(At(4, 0, 1.1));
        var h4 = await app.AlertAsync(symbol, "buy", "240", 75, 101m, At(4, 0, 1));
        app.MoveTo(At(4, 0, 1.4));
        var m15 = await app.AlertAsync(symbol, "buy", "15", 80, 101.2m, At(4, 0, 1));
        app.MoveTo(At(4, 0, 1.9));
        var h1 = await app.AlertAsync(symbol, "buy", "60", 70, 101.1m, At(4, 0, 1));
        var decision = await app.DecisionAsync(h1);
        Assert.Equal([h4, m15, h1], decision["memberSignalIds"].Strings());
        return decision;
    }

    [Fact]
    public async Task Problem_1_the_alerts_of_one_bar_close_are_decided_once_together_not_first_come_first_served()
    {
        await using var app = new TradingApp(At(3, 50));
        await app.KnowsAsync("BURST", "240", "60", "15");

        // 04:00: the 4h, 15m and 1h alerts arrive within a second, in that order.
        app.MoveTo(At(4, 0, 1.1));
        var h4 = await app.AlertAsync("BURST", "buy", "240", 75, 101m, At(4, 0, 1));
        app.MoveTo(At(4, 0, 1.4));
        var m15 = await app.AlertAsync("BURST", "buy", "15", 80, 101.2m, At(4, 0, 1));
        app.MoveTo(At(4, 0, 1.9));
        var h1 = await app.AlertAsync("BURST", "buy", "60", 70, 101.1m, At(4, 0, 1));

        var decisions = new[] { await app.DecisionAsync(h4), await app.DecisionAsync(m15), await app.DecisionAsync(h1) };

        // One decision answers for all three: no COOLDOWN for the better-confirmed ones.
        Assert.Single(decisions.Select(d => (string)d["decisionId"]!).Distinct());
        var decision = decisions[0];
        Assert.Equal("EXECUTE", decision.Verdict());
        Assert.Equal("EnterLong", decision.Action());
        Assert.Equal([h4, m15, h1], decision["memberSignalIds"].Strings());
        Assert.Equal(m15, (string?)decision["signalId"]); // entries are timed on the fastest chart
        Assert.Equal(["15m", "1h", "4h"], decision["inputs"]!.AsArray().Where(i => (bool)i!["live"]!).Select(i => (string)i!["timeframe"]!));

        // 04:15 only the 15m closes: buy, sell and close arrive in one second and are decided in arrival order, each recorded.
        app.MoveTo(At(4, 15, 1.1));
        var buy = await app.AlertAsync("BURST", "buy", "15", 80, 101.5m, At(4, 15, 1));
        var buyDecision = await app.DecisionAsync(buy);
        app.MoveTo(At(4, 15, 1.3));
        var sell = await app.AlertAsync("BURST", "sell", "15", 80, 101.4m, At(4, 15, 1));
        var sellDecision = await app.DecisionAsync(sell);
        app.MoveTo(At(4, 15, 1.5));
        var close = await app.AlertAsync("BURST", "close", "15", 80, 101.6m, At(4, 15, 1));
        var closeDecision = await app.DecisionAsync(close);

        Assert.Equal(["ALREADY_IN_POSITION"], buyDecision.Reasons());
        Assert.Equal(("VETO", "Reverse"), (sellDecision.Verdict(), sellDecision.Action()));
        Assert.Contains("HTF_CONFLICT", sellDecision.Reasons());
        Assert.Equal(("EXECUTE", "Exit"), (closeDecision.Verdict(), closeDecision.Action()));
        Assert.Equal(101.6, closeDecision["closedTrade"]!["exitPrice"].Number());
    }

    [Fact]
    public async Task Problem_2_a_position_is_held_an_opposite_signal_does_not_open_a_second_one_and_an_exit_closes_what_is_open()
    {
        await using var app = new TradingApp(At(3, 50));
        var entry = await OpenLongAt4hCloseAsync(app, "HOLD");
        Assert.Equal("Long", entry["positionAfter"].Side());

        // A minute later a confident 15m sell, alone: it would reverse the long, and the 4h and 1h still buy.
        app.MoveTo(At(4, 1, 0.5));
        var sell = await app.DecideAsync("HOLD", "sell", "15", 90, 100.9m);
        Assert.Equal(("VETO", "Reverse"), (sell.Verdict(), sell.Action()));
        var position = await app.GetWhenAsync("/positions/HOLD", p => p["position"].Side() == "Long");
        Assert.Equal("Long", position["position"].Side());
        Assert.Equal(101.2, position["position"]!["entryPrice"].Number());

        // 06:15 the 15m says close: the exit says what it closed.
        app.MoveTo(At(6, 15, 1.1));
        var exit = await app.DecideAsync("HOLD", "close", "15", null, 103m);
        Assert.Equal(("EXECUTE", "Exit"), (exit.Verdict(), exit.Action()));
        var trade = exit["closedTrade"]!;
        Assert.Equal("Long", (string?)trade["side"]);
        Assert.Equal((101.2, 103.0), (trade["entryPrice"].Number(), trade["exitPrice"].Number()));
        Assert.Equal(1.778656, trade["returnPct"].Number(), 6);
        Assert.Equal((string?)entry["decisionId"], (string?)trade["openingDecisionId"]);
        Assert.Equal(("Long", "Flat"), (exit["positionBefore"].Side(), exit["positionAfter"].Side()));

        var flat = await app.GetWhenAsync("/positions/HOLD", p => p["position"].Side() == "Flat");
        Assert.Empty((await app.GetAsync("/positions")).AsArray());
        Assert.Single(flat["closedTrades"]!.AsArray());

        // An exit when flat has nothing to close.
        app.MoveTo(At(6, 30, 1.1));
        var again = await app.DecideAsync("HOLD", "close", "15", null, 103.1m);
        Assert.Equal(("VETO", "Exit"), (again.Verdict(), again.Action()));
        Assert.Equal(["NO_POSITION"], again.Reasons());
    }

    [Fact]
    public async Task Problem_3_one_timeframe_is_not_enough_and_a_higher_one_must_agree()
    {
        await using var app = new TradingApp(At(10, 7, 13));

        var lone = await app.DecideAsync("LONE", "buy", "15", 95);
        Assert.Equal("VETO", lone.Verdict());
        Assert.Equal(["TOO_FEW_TIMEFRAMES", "NO_HIGHER_TIMEFRAME"], lone.Reasons());
        Assert.Equal(2, lone.Explanation("TOO_FEW_TIMEFRAMES")["threshold"].Number());
        Assert.Equal(1, lone.Explanation("TOO_FEW_TIMEFRAMES")["observed"].Number());

        // Two agree, but only a lower one: still no higher timeframe behind the 15m buy.
        app.MoveTo(At(10, 8, 13));
        var lowerOnly = await app.DecideAsync("LOWER", "buy", "5", 90);
        app.MoveTo(At(10, 9, 13));
        var withLower = await app.DecideAsync("LOWER", "buy", "15", 90);
        Assert.Equal(["NO_HIGHER_TIMEFRAME"], withLower.Reasons());
        Assert.Equal("VETO", lowerOnly.Verdict());
    }

    [Fact]
    public async Task Problem_4_an_alert_without_confidence_gets_the_default_of_70()
    {
        await using var app = new TradingApp(At(3, 50));
        await app.KnowsAsync("NOCONF", "60", "15");

        app.MoveTo(At(5, 0, 1.1));
        var h1 = await app.AlertAsync("NOCONF", "buy", "60", null, 100m, At(5, 0, 1));
        app.MoveTo(At(5, 0, 1.3));
        var m15 = await app.AlertAsync("NOCONF", "buy", "15", null, 100m, At(5, 0, 1));
        var decision = await app.DecisionAsync(m15);

        Assert.Equal("EXECUTE", decision.Verdict());
        Assert.Equal(70, (int)decision["confidence"]!);
        Assert.All(decision["inputs"]!.AsArray(), i => Assert.Equal(70, (int)i!["confidence"]!));
        Assert.Equal(0.49, decision["positionSizePct"].Number(), 6); // 1 % × score 0.7 × confidence 0.7
        using var stored = await app.Operator.GetAsync($"/signals/{h1}");
        Assert.Null((await stored.ExpectAsync(HttpStatusCode.OK))["confidence"]); // stored as sent: none
    }

    [Fact]
    public async Task Problem_5_a_breached_daily_limit_holds_for_the_rest_of_the_day_with_warnings_before_it()
    {
        await using var app = new TradingApp(At(3, 50));
        await app.KnowsAsync("LIMIT", "60", "15");

        await app.ReportPnlAsync(-4.2);
        var warning = Assert.Single((await app.GetAsync("/risk/events")).AsArray())!;
        Assert.Equal(("warning", "dailyLoss"), ((string?)warning["kind"], (string?)warning["limit"]));

        await app.ReportPnlAsync(-1.3);
        var recovered = await app.ReportPnlAsync(1);
        Assert.Equal(4.5, recovered["dailyLossPct"].Number(), 9);
        Assert.Equal(5.5, recovered["worstDailyLossPct"].Number(), 9);
        Assert.True((bool)recovered["dailyLimitReached"]!);
        var events = (await app.GetAsync("/risk/events")).AsArray();
        Assert.Equal(["breach", "warning"], events.Select(e => (string)e!["kind"]!));

        // Day at −4.5 %, below the limit now, but it was breached today: entries stay vetoed.
        app.MoveTo(At(5, 0, 1.1));
        await app.AlertAsync("LIMIT", "buy", "60", 80, 100m, At(5, 0, 1));
        var entry = await app.DecisionAsync(await app.AlertAsync("LIMIT", "buy", "15", 80, 100m, At(5, 0, 1)));
        Assert.Equal(["RISK_LIMIT"], entry.Reasons());
        Assert.Equal(5.5, entry.Explanation("RISK_LIMIT")["observed"].Number());
        Assert.Equal(5, entry.Explanation("RISK_LIMIT")["threshold"].Number());

        // The next trading day trades again.
        app.MoveTo(At(25, 0, 1.1));
        await app.AlertAsync("LIMIT", "buy", "60", 80, 100m, At(25, 0, 1));
        var nextDay = await app.DecisionAsync(await app.AlertAsync("LIMIT", "buy", "15", 80, 100m, At(25, 0, 1)));
        Assert.Equal("EXECUTE", nextDay.Verdict());
        Assert.Contains((await app.GetAsync("/risk/events")).AsArray(), e => (string?)e!["kind"] == "resume" && (string?)e["limit"] == "dailyLoss");
    }

    [Fact]
    public async Task Problem_5_the_total_loss_is_measured_from_the_initial_balance_not_the_peak()
    {
        await using var app = new TradingApp(At(3, 50));
        await app.KnowsAsync("TOTAL", "60", "15");

        // +6 % on day one, then three losing days: 10.3 % below the peak, but only 4.3 % below the initial balance.
        await app.ReportPnlAsync(6);
        foreach (var (day, pnl) in new[] { (1, -4.9), (2, -4.9), (3, -0.5) })
        {
            app.MoveTo(At((day * 24) + 1));
            await app.ReportPnlAsync(pnl);
        }

        var risk = await app.GetAsync("/risk");
        Assert.Equal(4.3, risk["totalLossPct"].Number(), 9);
        Assert.Equal(10.3, risk["drawdownPct"].Number(), 9);
        Assert.Equal("Initial", (string?)risk["totalLossBasis"]);
        Assert.False((bool)risk["totalLimitReached"]!);

        app.MoveTo(At((3 * 24) + 5, 0, 1.1));
        await app.AlertAsync("TOTAL", "buy", "60", 80, 100m, At((3 * 24) + 5, 0, 1));
        var entry = await app.DecisionAsync(await app.AlertAsync("TOTAL", "buy", "15", 80, 100m, At((3 * 24) + 5, 0, 1)));
        Assert.Equal("EXECUTE", entry.Verdict());

        // A trailing limit is a setting: from the peak, the same account is past it.
        await app.PutSettingsAsync(new JsonObject { ["totalLossBasis"] = "Peak" });
        app.MoveTo(At((3 * 24) + 6, 0, 1.1));
        await app.AlertAsync("TOTAL", "sell", "60", 80, 100m, At((3 * 24) + 6, 0, 1));
        var trailing = await app.DecisionAsync(await app.AlertAsync("TOTAL", "sell", "15", 80, 100m, At((3 * 24) + 6, 0, 1)));
        Assert.Contains("RISK_LIMIT", trailing.Reasons());
        Assert.Equal("The total loss is 10.3 % from the highest equity, at the 10 % limit.", (string?)trailing.Explanation("RISK_LIMIT")["text"]);
    }

    [Fact]
    public async Task Problem_6_reasons_come_in_words_with_the_timeframe_threshold_and_time_left_and_the_decision_shows_price_position_and_settings()
    {
        await using var app = new TradingApp(At(3, 50));
        await app.KnowsAsync("WORDS", "240", "60", "15");

        // The 4h sold confidently at 04:00; at 05:00 the 1h and 15m buy.
        app.MoveTo(At(4, 0, 1.1));
        await app.DecideAsync("WORDS", "sell", "240", 90, 100m, At(4, 0, 1));
        app.MoveTo(At(5, 0, 1.1));
        await app.AlertAsync("WORDS", "buy", "60", 80, 99.5m, At(5, 0, 1));
        var decision = await app.DecisionAsync(await app.AlertAsync("WORDS", "buy", "15", 80, 99.4m, At(5, 0, 1)));

        Assert.Equal(["HTF_CONFLICT", "WEAK_CONFLUENCE"], decision.Reasons());
        var conflict = decision.Explanation("HTF_CONFLICT");
        Assert.Equal("4h is a live SELL at 90 % against this BUY.", (string?)conflict["text"]);
        Assert.Equal("4h", (string?)conflict["timeframe"]);
        Assert.Equal((50.0, 90.0), (conflict["threshold"].Number(), conflict["observed"].Number()));
        Assert.Equal(99.4, decision["price"].Number());
        Assert.Equal(("Flat", "Flat"), (decision["positionBefore"].Side(), decision["positionAfter"].Side()));
        Assert.Equal(0, (long)decision["settingsVersion"]!);

        // A cooldown says how long it still runs.
        app.MoveTo(At(8, 0, 1.1));
        await app.AlertAsync("WORDS", "buy", "240", 80, 101m, At(8, 0, 1));
        await app.AlertAsync("WORDS", "buy", "60", 80, 101m, At(8, 0, 1));
        var entry = await app.DecisionAsync(await app.AlertAsync("WORDS", "buy", "15", 80, 101m, At(8, 0, 1)));
        Assert.Equal("EXECUTE", entry.Verdict());
        app.MoveTo(DateTimeOffset.Parse((string)entry["decidedAt"]!, System.Globalization.CultureInfo.InvariantCulture).AddSeconds(20));
        var close = await app.DecideAsync("WORDS", "close", "5", null, 101.5m, At(8, 0, 21));
        Assert.Equal("EXECUTE", close.Verdict()); // exits are never held back
        app.MoveTo(Now(app).AddSeconds(15));
        var again = await app.DecideAsync("WORDS", "buy", "15", 80, 101.6m, At(8, 0, 36));
        var cooldown = again.Explanation("COOLDOWN");
        Assert.Equal(60, cooldown["threshold"].Number());
        Assert.InRange(cooldown["remainingSeconds"].Number(), 44, 46);
        Assert.StartsWith("WORDS last executed 15 s ago; the 60 s cooldown runs", (string?)cooldown["text"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Problem_7_settings_change_at_run_time_validated_versioned_and_audited()
    {
        await using var app = new TradingApp(At(3, 50));
        await app.KnowsAsync("SETTINGS", "60", "15");

        var before = await app.GetAsync("/settings");
        Assert.Equal(0, (long)before["version"]!);
        Assert.Equal(60, (int)before["engine"]!["minConfidence"]!);

        var changed = await app.PutSettingsAsync(new JsonObject { ["minConfidence"] = 85, ["cooldownSeconds"] = 30 });
        Assert.Equal(1, (long)changed["version"]!);
        Assert.Equal(["cooldownSeconds", "minConfidence"], changed["changedFields"].Strings());

        // The next decision uses it, no restart.
        app.MoveTo(At(5, 0, 1.1));
        await app.AlertAsync("SETTINGS", "buy", "60", 80, 100m, At(5, 0, 1));
        var decision = await app.DecisionAsync(await app.AlertAsync("SETTINGS", "buy", "15", 80, 100m, At(5, 0, 1)));
        Assert.Equal(["LOW_CONFIDENCE"], decision.Reasons());
        Assert.Equal(85, decision.Explanation("LOW_CONFIDENCE")["threshold"].Number());
        Assert.Equal(1, (long)decision["settingsVersion"]!);

        // A bad value is a 400 naming it; nothing changes.
        using (var bad = await app.Operator.PutAsync("/settings/engine", System.Net.Http.Json.JsonContent.Create(new JsonObject { ["minScore"] = 2 })))
        {
            Assert.Equal(["minScore"], (await bad.ExpectProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        }

        using (var unknown = await app.Operator.PutAsync(
            "/settings/engine", System.Net.Http.Json.JsonContent.Create(new JsonObject { ["maxDailyLoss"] = 3, ["cooldownSeconds"] = "soon" })))
        {
            Assert.Equal(["cooldownSeconds", "maxDailyLoss"], (await unknown.ExpectProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        }

        Assert.Equal(1, (long)(await app.GetAsync("/settings"))["version"]!);

        // Every change is in the audit log, with the halts and P&L reports.
        await app.PostAsync("/risk/halt", new JsonObject { ["reason"] = "CPI" });
        var audit = (await app.GetAsync("/audit")).AsArray();
        Assert.Equal(["halt", "settingsChange"], audit.Select(a => (string)a!["kind"]!));
        Assert.Equal(1, (long)audit[1]!["settingsVersion"]!);
        Assert.Equal("CPI", (string?)audit[0]!["note"]);
    }

    private static DateTimeOffset Now(TradingApp app) => app.Now;
}
