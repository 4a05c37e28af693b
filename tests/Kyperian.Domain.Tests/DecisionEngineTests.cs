using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

/// <summary>The decision rules, one at a time. The default scenario is a confident (80) 15m buy, now, while flat.</summary>
public class DecisionEngineTests
{
    private static readonly SignalAction Buy = SignalAction.Buy;
    private static readonly SignalAction Sell = SignalAction.Sell;
    private static readonly SignalAction Close = SignalAction.Close;

    // ---- EXECUTE ----

    [Fact]
    public void Aligned_timeframes_execute_a_long_entry()
    {
        var scenario = Scenario.Aligned();
        scenario.Signal = scenario.Signal with { ReceivedAt = Clocks.Now.AddMilliseconds(-250) };

        var decision = scenario.Decide();

        Assert.Equal(Verdict.Execute, decision.Verdict);
        Assert.Equal(TradeAction.EnterLong, decision.Action);
        Assert.True(decision.IsEntry);
        Assert.Empty(decision.Reasons);
        Assert.Equal(0.8, decision.Score, 6);
        Assert.Equal(1.0, decision.Alignment, 6);
        Assert.Equal(0.64, decision.PositionSizePct, 6); // 1.0 % × 0.8 × 80/100
        Assert.Equal("dec_0123456789abcdef01234567", decision.DecisionId);
        Assert.Equal("sig_0123456789abcdef01234567", decision.SignalId);
        Assert.Equal(SignalIdentity.DecisionIdFor(decision.SignalId), decision.DecisionId);
        Assert.Equal("BTCUSDT", decision.Symbol.Value);
        Assert.Equal(Timeframe.Parse("15"), decision.Timeframe);
        Assert.Equal(Clocks.Now, decision.DecidedAt);
        Assert.Equal(250, decision.LatencyMs, 6);
        Assert.Equal(100m, decision.Price);
        Assert.Equal(80, decision.Confidence);
        Assert.Equal(["sig_0123456789abcdef01234567"], decision.MemberSignalIds);
        Assert.Empty(decision.Explanations);
        Assert.Equal(0, decision.SettingsVersion);
        Assert.True(decision.PositionBefore!.IsFlat);
        var after = decision.PositionAfter!;
        Assert.Equal(PositionSide.Long, after.Side);
        Assert.Equal(0.64, after.SizePct, 6);
        Assert.Equal(100m, after.EntryPrice);
        Assert.Equal(Clocks.Now, after.OpenedAt);
        Assert.Equal(decision.DecisionId, after.OpeningDecisionId);
        Assert.Null(decision.ClosedTrade);
    }

    [Fact]
    public void Aligned_timeframes_execute_a_short_entry()
    {
        var scenario = new Scenario { Signal = new SignalBuilder { Action = Sell } }.With("60", Sell).With("240", Sell);

        var decision = scenario.Decide();

        Assert.Equal(Verdict.Execute, decision.Verdict);
        Assert.Equal(TradeAction.EnterShort, decision.Action);
        Assert.Equal(-0.8, decision.Score, 6);
        Assert.Equal(1.0, decision.Alignment, 6);
        Assert.Equal(0.64, decision.PositionSizePct, 6);
    }

    [Fact]
    public void Score_alignment_and_size_match_a_hand_computed_example()
    {
        // A 1h buy at 90 against 5m sell 40, 15m buy 70 and 4h buy 60, all live.
        // Weights: 5m 3.321928, 15m 4.906891, 1h 6.906891, 4h 8.906891; total 24.042600.
        // score = (6.906891·0.9 + 4.906891·0.7 + 8.906891·0.6 − 3.321928·0.4) / 24.042600
        //       = (6.216202 + 3.434824 + 5.344135 − 1.328771) / 24.042600 = 13.666389 / 24.042600 = 0.568424
        // alignment = (24.042600 − 3.321928) / 24.042600 = 0.861832
        // size = 1.0 % × 0.568424 × 90/100 = 0.511582 → 0.5116
        var scenario = new Scenario { Signal = new SignalBuilder { Timeframe = "60", Confidence = 90 } }
            .With("5", Sell, 40).With("15", Buy, 70).With("240", Buy, 60);

        var decision = scenario.Decide();

        Assert.Equal(Verdict.Execute, decision.Verdict);
        Assert.Equal(0.568424, decision.Score, 6);
        Assert.Equal(0.861832, decision.Alignment, 6);
        Assert.Equal(0.5116, decision.PositionSizePct, 4);
    }

    [Theory]
    [InlineData(1.0, 5.0, 0.64)]
    [InlineData(2.0, 5.0, 1.28)]
    [InlineData(10.0, 5.0, 5.0)] // 6.4 capped
    [InlineData(1.0, 0.5, 0.5)]  // 0.64 capped
    public void Size_is_risk_per_trade_times_score_times_confidence_capped(double riskPerTrade, double maxPosition, double expected)
    {
        var scenario = Scenario.Aligned();
        scenario.Settings.RiskPerTradePct = riskPerTrade;
        scenario.Settings.MaxPositionPct = maxPosition;

        Assert.Equal(expected, scenario.Decide().PositionSizePct, 6);
    }

    [Theory]
    [InlineData(-0.5, 80, 0.0)]
    [InlineData(0.0, 80, 0.0)]
    [InlineData(0.5, 80, 0.4)]
    [InlineData(1.7, 80, 0.8)]
    [InlineData(1.0, 0, 0.0)]
    [InlineData(0.33333, 100, 0.3333)]
    public void Position_size_clamps_the_directional_score_to_0_1(double directionalScore, int confidence, double expected) =>
        Assert.Equal(expected, new DecisionEngine(new EngineSettings(), Clocks.Fixed()).PositionSize(directionalScore, confidence), 6);

    // ---- Close ----

    [Fact]
    public void A_close_exits_an_open_position_even_with_every_entry_veto_present()
    {
        var scenario = new Scenario { Signal = new SignalBuilder { Action = Close, Price = 99m } }.Holding(PositionSide.Long, price: 90m);
        foreach (var reason in EntryReasons.Where(r => r != VetoReason.AlreadyInPosition))
        {
            Trigger(scenario, reason);
        }

        var decision = scenario.Decide();

        Assert.Equal(Verdict.Execute, decision.Verdict);
        Assert.Equal(TradeAction.Exit, decision.Action);
        Assert.False(decision.IsEntry);
        Assert.Equal(0, decision.PositionSizePct);
        Assert.Empty(decision.Reasons);
        Assert.True(decision.PositionAfter!.IsFlat);
        Assert.Equal(decision.DecisionId, decision.PositionAfter.LastDecisionId);
        var trade = decision.ClosedTrade!;
        Assert.Equal(PositionSide.Long, trade.Side);
        Assert.Equal(90m, trade.EntryPrice);
        Assert.Equal(99m, trade.ExitPrice);
        Assert.Equal(10, trade.ReturnPct!.Value, 6);
        Assert.Equal(0.05, trade.AccountPnlPct!.Value, 6); // a 0.5 % position that gained 10 %
        Assert.Equal("dec_opening", trade.OpeningDecisionId);
        Assert.Equal(decision.DecisionId, trade.ClosingDecisionId);
    }

    [Fact]
    public void A_close_of_a_short_returns_the_fall_in_price()
    {
        var scenario = new Scenario { Signal = new SignalBuilder { Action = Close, Price = 81m } }.Holding(PositionSide.Short, price: 90m);

        var trade = scenario.Decide().ClosedTrade!;

        Assert.Equal(PositionSide.Short, trade.Side);
        Assert.Equal(10, trade.ReturnPct!.Value, 6);
    }

    [Fact]
    public void A_close_when_flat_is_vetoed_with_no_position_and_changes_nothing()
    {
        var scenario = new Scenario { Signal = new SignalBuilder { Action = Close } };

        var decision = scenario.Decide();

        Assert.Equal(Verdict.Veto, decision.Verdict);
        Assert.Equal(TradeAction.Exit, decision.Action);
        Assert.Equal([VetoReason.NoPosition], decision.Reasons);
        var explanation = Assert.Single(decision.Explanations);
        Assert.Equal("There is nothing to close: BTCUSDT is flat.", explanation.Text);
        Assert.Same(decision.PositionBefore, decision.PositionAfter);
        Assert.Null(decision.ClosedTrade);
        Assert.Null(decision.PositionChange);
    }

    // ---- vetoes ----

    /// <summary>Every reason an entry can be vetoed for, in the order they are listed.</summary>
    private static readonly VetoReason[] EntryReasons = [.. Enum.GetValues<VetoReason>().Where(r => r != VetoReason.NoPosition)];

    /// <summary>Adds the one condition that should trigger <paramref name="reason"/> to an aligned scenario.</summary>
    private static void Trigger(Scenario s, VetoReason reason)
    {
        switch (reason)
        {
            case VetoReason.TooFewTimeframes:
                s.Settings.MinLiveTimeframes = 4; // the aligned scenario has three
                break;
            case VetoReason.NoHigherTimeframe:
                // The agreeing higher timeframes give way to agreeing lower ones.
                s.Others.RemoveAll(o => o.Timeframe > Timeframe.Parse("15") && o.Action == Buy);
                s.With("1", Buy).With("30S", Buy);
                break;
            case VetoReason.AlreadyInPosition:
                s.Holding(PositionSide.Long);
                break;
            case VetoReason.LowConfidence:
                s.Signal = s.Signal with { Confidence = 59 };
                break;
            case VetoReason.HtfConflict:
                s.With("30", Sell, 50); // 30m is above the signal's 15m
                break;
            case VetoReason.WeakConfluence:
                // Neutral higher timeframes dilute the score and a strong lower timeframe opposes it; none conflicts.
                s.With("1D", Close).With("1W", Close).With("5", Sell, 100);
                break;
            case VetoReason.Cooldown:
                s.LastExecuteAt = s.Clock.GetUtcNow().AddSeconds(-30);
                break;
            case VetoReason.StaleSignal:
                s.Signal = s.Signal with { AlertTime = s.Signal.ReceivedAt.AddMinutes(-16) };
                break;
            case VetoReason.RiskLimit:
                s.Risk = s.Risk with { RealizedPnlTodayPct = -5 };
                break;
            case VetoReason.KillSwitch:
                s.Risk = s.Risk with { Halted = true, HaltReason = "operator" };
                break;
            case VetoReason.OutsideHours:
                s.Settings.TradingWindowStartUtc = new TimeOnly(0, 0);
                s.Settings.TradingWindowEndUtc = new TimeOnly(9, 0);
                break;
            case VetoReason.MaxDecisions:
                s.Settings.MaxEntriesPerDay = 3;
                s.Risk = s.Risk with { EntriesToday = 3 };
                break;
        }
    }

    [Theory]
    [InlineData(VetoReason.LowConfidence)]
    [InlineData(VetoReason.HtfConflict)]
    [InlineData(VetoReason.WeakConfluence)]
    [InlineData(VetoReason.Cooldown)]
    [InlineData(VetoReason.StaleSignal)]
    [InlineData(VetoReason.RiskLimit)]
    [InlineData(VetoReason.KillSwitch)]
    [InlineData(VetoReason.OutsideHours)]
    [InlineData(VetoReason.MaxDecisions)]
    [InlineData(VetoReason.TooFewTimeframes)]
    [InlineData(VetoReason.NoHigherTimeframe)]
    [InlineData(VetoReason.AlreadyInPosition)]
    public void Each_veto_alone_vetoes_with_exactly_its_reason(VetoReason reason)
    {
        var scenario = Scenario.Aligned();
        Trigger(scenario, reason);

        var decision = scenario.Decide();

        Assert.Equal(Verdict.Veto, decision.Verdict);
        Assert.Equal([reason], decision.Reasons);
        Assert.Equal(TradeAction.EnterLong, decision.Action); // what it would have done
        Assert.Equal(0, decision.PositionSizePct);
        Assert.Equal(reason, Assert.Single(decision.Explanations).Code);
        Assert.Same(decision.PositionBefore, decision.PositionAfter);
    }

    [Fact]
    public void Every_veto_that_applies_is_listed_in_order()
    {
        var scenario = Scenario.Aligned();
        foreach (var reason in EntryReasons)
        {
            Trigger(scenario, reason);
        }

        var decision = scenario.Decide();
        Assert.Equal(EntryReasons, decision.Reasons);
        Assert.Equal(EntryReasons, decision.Explanations.Select(e => e.Code));
    }

    [Fact]
    public void Some_vetoes_at_once_are_all_listed()
    {
        var scenario = Scenario.Aligned();
        Trigger(scenario, VetoReason.KillSwitch);
        Trigger(scenario, VetoReason.LowConfidence);
        Trigger(scenario, VetoReason.Cooldown);

        var decision = scenario.Decide();

        Assert.Equal([VetoReason.LowConfidence, VetoReason.Cooldown, VetoReason.KillSwitch], decision.Reasons);
        Assert.Equal(Verdict.Veto, decision.Verdict);
    }

    [Fact]
    public void The_veto_codes_serialize_as_in_the_contract()
    {
        string[] codes =
        [
            "LOW_CONFIDENCE", "HTF_CONFLICT", "WEAK_CONFLUENCE", "COOLDOWN", "STALE_SIGNAL", "RISK_LIMIT", "KILL_SWITCH", "OUTSIDE_HOURS",
            "MAX_DECISIONS", "TOO_FEW_TIMEFRAMES", "NO_HIGHER_TIMEFRAME", "ALREADY_IN_POSITION", "NO_POSITION",
        ];
        Assert.Equal(codes.Select(c => $"\"{c}\""), Enum.GetValues<VetoReason>().Select(r => System.Text.Json.JsonSerializer.Serialize(r)));
        Assert.Equal(codes, Enum.GetValues<VetoReason>().Select(r => r.Code()));
        Assert.All(Enum.GetValues<VetoReason>(), r => Assert.Equal(r, System.Text.Json.JsonSerializer.Deserialize<VetoReason>($"\"{r.Code()}\"")));
        Assert.All(Enum.GetValues<VetoReason>(), r => Assert.True(DecisionCodes.TryParseReason(r.Code(), out var parsed) && parsed == r));
        Assert.False(DecisionCodes.TryParseReason("LowConfidence", out _));
        Assert.Equal("\"EXECUTE\"", System.Text.Json.JsonSerializer.Serialize(Verdict.Execute));
        Assert.Equal("\"VETO\"", System.Text.Json.JsonSerializer.Serialize(Verdict.Veto));
    }

    [Theory]
    [InlineData(59, true)]
    [InlineData(60, false)]
    [InlineData(0, true)]
    public void Low_confidence_is_below_the_minimum(int confidence, bool vetoed)
    {
        var scenario = Scenario.Aligned();
        scenario.Signal = scenario.Signal with { Confidence = confidence };
        Assert.Equal(vetoed, scenario.Decide().Reasons.Contains(VetoReason.LowConfidence));
    }

    [Theory]
    [InlineData("30", 50, 0, true)]     // higher, opposite, confident enough
    [InlineData("30", 49, 0, false)]    // not confident enough
    [InlineData("5", 100, 0, false)]    // lower timeframes never conflict
    [InlineData("30", 100, 91, false)]  // stale: more than 3 bars of 30m old
    [InlineData("30", 100, 90, true)]   // exactly 3 bars: still live
    public void A_higher_timeframe_conflicts_only_when_live_opposite_and_confident(string timeframe, int confidence, int ageMinutes, bool vetoed)
    {
        var scenario = Scenario.Aligned().With(timeframe, Sell, confidence, TimeSpan.FromMinutes(ageMinutes));
        Assert.Equal(vetoed, scenario.Decide().Reasons.Contains(VetoReason.HtfConflict));
    }

    [Fact]
    public void A_higher_timeframe_close_is_no_conflict() =>
        Assert.Empty(Scenario.Aligned().With("30", Close, 100).Decide().Reasons);

    [Fact]
    public void The_htf_conflict_threshold_is_a_setting()
    {
        var scenario = Scenario.Aligned().With("30", Sell, 50);
        scenario.Settings.HtfConflictMinConfidence = 51;
        Assert.Empty(scenario.Decide().Reasons);
    }

    [Fact]
    public void Weak_confluence_compares_the_directional_score_with_the_minimum()
    {
        var scenario = Scenario.Aligned(); // score 0.8
        scenario.Settings.MinScore = 0.8;
        Assert.Empty(scenario.Decide().Reasons);

        scenario.Settings.MinScore = 0.81;
        Assert.Equal([VetoReason.WeakConfluence], scenario.Decide().Reasons);
    }

    [Fact]
    public void A_lone_signal_is_not_confluence()
    {
        var decision = new Scenario().Decide(); // only the 15m buy at 80

        Assert.Equal(Verdict.Veto, decision.Verdict);
        Assert.Equal([VetoReason.TooFewTimeframes, VetoReason.NoHigherTimeframe], decision.Reasons);
        Assert.Equal(0.8, decision.Score, 6);
        Assert.Single(decision.Inputs);
    }

    [Fact]
    public void A_lone_signal_executes_when_the_settings_ask_for_one_timeframe_and_no_higher_one()
    {
        var scenario = new Scenario();
        scenario.Settings.MinLiveTimeframes = 1;
        scenario.Settings.RequireHigherTimeframe = false;

        Assert.Equal(Verdict.Execute, scenario.Decide().Verdict);
    }

    [Theory]
    [InlineData(59, true)]
    [InlineData(60, false)]
    [InlineData(3600, false)]
    public void Cooldown_blocks_entries_within_the_cooldown_after_an_execute(int secondsAgo, bool vetoed)
    {
        var scenario = Scenario.Aligned();
        scenario.LastExecuteAt = Clocks.Now.AddSeconds(-secondsAgo);
        Assert.Equal(vetoed, scenario.Decide().Reasons.Contains(VetoReason.Cooldown));
    }

    [Fact]
    public void A_zero_cooldown_never_vetoes()
    {
        var scenario = Scenario.Aligned();
        scenario.Settings.CooldownSeconds = 0;
        scenario.LastExecuteAt = Clocks.Now;
        Assert.Empty(scenario.Decide().Reasons);
    }

    [Theory]
    [InlineData("15", 15 * 60, false)]
    [InlineData("15", (15 * 60) + 1, true)]
    [InlineData("240", 3 * 3600, false)]
    [InlineData("1", 61, true)]
    public void A_stale_signal_is_older_than_one_bar_at_receipt(string timeframe, int secondsOld, bool vetoed)
    {
        var scenario = Scenario.Aligned();
        scenario.Signal = scenario.Signal with { Timeframe = timeframe, AlertTime = Clocks.Now.AddSeconds(-secondsOld) };
        Assert.Equal(vetoed, scenario.Decide().Reasons.Contains(VetoReason.StaleSignal));
    }

    [Fact]
    public void Staleness_is_measured_at_receipt_not_at_decision()
    {
        // Received 10 min after its bar time, decided 30 min later: one 15m bar was not exceeded at receipt.
        var scenario = Scenario.Aligned();
        scenario.Signal = scenario.Signal with { ReceivedAt = Clocks.Now.AddMinutes(-30), AlertTime = Clocks.Now.AddMinutes(-40) };

        var decision = scenario.Decide();

        Assert.DoesNotContain(VetoReason.StaleSignal, decision.Reasons);
        Assert.Equal(30 * 60 * 1000, decision.LatencyMs, 6);
    }

    [Fact]
    public void A_signal_without_its_own_time_is_never_stale()
    {
        var scenario = Scenario.Aligned();
        scenario.Signal = scenario.Signal with { ReceivedAt = Clocks.Now.AddHours(-5), AlertTime = null };
        Assert.DoesNotContain(VetoReason.StaleSignal, scenario.Decide().Reasons);
    }

    [Theory]
    [InlineData(-4.99, 0, 0, false)]
    [InlineData(-5, 0, 0, true)]
    [InlineData(-12, 0, 0, true)]
    [InlineData(3, 0, 0, false)]
    [InlineData(0, 12, 2, false)]       // 10 below the peak, but 2 above the initial balance
    [InlineData(0, 0, -9.99, false)]
    [InlineData(0, 0, -10, true)]       // 10 below the initial balance
    public void Risk_limit_is_todays_loss_or_the_total_loss_from_the_initial_balance(double today, double peak, double cumulative, bool vetoed)
    {
        var scenario = Scenario.Aligned();
        scenario.Risk = scenario.Risk with { RealizedPnlTodayPct = today, PeakPnlPct = peak, CumulativePnlPct = cumulative };
        Assert.Equal(vetoed, scenario.Decide().Reasons.Contains(VetoReason.RiskLimit));
    }

    [Theory]
    [InlineData(12, 2.01, false)]  // drawdown 9.99
    [InlineData(12, 2, true)]      // drawdown 10
    [InlineData(0, -10, true)]
    public void With_a_peak_basis_the_total_loss_trails_the_peak(double peak, double cumulative, bool vetoed)
    {
        var scenario = Scenario.Aligned();
        scenario.Settings.TotalLossBasis = Risk.TotalLossBasis.Peak;
        scenario.Risk = scenario.Risk with { PeakPnlPct = peak, CumulativePnlPct = cumulative };
        Assert.Equal(vetoed, scenario.Decide().Reasons.Contains(VetoReason.RiskLimit));
    }

    [Fact]
    public void A_breached_day_stays_breached_after_recovery_the_same_day()
    {
        var scenario = Scenario.Aligned();
        scenario.Risk = scenario.Risk.WithPnl(-5.5, Clocks.Today).WithPnl(1, Clocks.Today);

        var decision = scenario.Decide();

        Assert.Equal(4.5, scenario.Risk.DailyLossPct, 9);
        Assert.Equal([VetoReason.RiskLimit], decision.Reasons);
        var explanation = Assert.Single(decision.Explanations);
        Assert.Equal(
            "The day's loss reached 5.5 % (now 4.5 %) from the day's starting equity, at the 5 % daily limit: no entries until the next trading day starts at 2026-01-16 00:00 UTC.",
            explanation.Text);
        Assert.Equal(5, explanation.Threshold);
        Assert.Equal(5.5, explanation.Observed);
        Assert.Equal((long)TimeSpan.FromHours(9.5).TotalSeconds, explanation.RemainingSeconds);
    }

    [Fact]
    public void The_next_trading_day_trades_again_and_starts_when_the_settings_say()
    {
        var scenario = Scenario.Aligned();
        scenario.Settings.RiskDayStartUtc = new TimeOnly(22, 0);
        var breachedAt = Clocks.Now; // Thursday 14:30: trading day Thursday (Wednesday 22:00 to Thursday 22:00)
        scenario.Risk = Risk.RiskState.Empty.WithPnl(-6, scenario.Settings.TradingDayOf(breachedAt));

        Assert.Equal([VetoReason.RiskLimit], scenario.Decide().Reasons);
        Assert.Equal(
            (long)TimeSpan.FromHours(7.5).TotalSeconds,
            scenario.Decide().Explanations.Single().RemainingSeconds);

        scenario.Clock.SetUtcNow(new DateTimeOffset(2026, 1, 15, 21, 59, 0, TimeSpan.Zero));
        scenario.Signal = scenario.Signal with { ReceivedAt = scenario.Clock.GetUtcNow() };
        Assert.Contains(VetoReason.RiskLimit, scenario.Decide().Reasons);

        scenario.Clock.SetUtcNow(new DateTimeOffset(2026, 1, 15, 22, 0, 0, TimeSpan.Zero));
        scenario.Signal = scenario.Signal with { ReceivedAt = scenario.Clock.GetUtcNow() };
        Assert.DoesNotContain(VetoReason.RiskLimit, scenario.Decide().Reasons);
    }

    [Fact]
    public void Yesterdays_loss_does_not_count_against_today()
    {
        var scenario = Scenario.Aligned();
        scenario.Risk = scenario.Risk with { Day = Clocks.Today.AddDays(-1), RealizedPnlTodayPct = -7, CumulativePnlPct = -7 };
        Assert.Empty(scenario.Decide().Reasons);
    }

    [Fact]
    public void Risk_limits_are_settings()
    {
        var scenario = Scenario.Aligned();
        scenario.Risk = scenario.Risk with { RealizedPnlTodayPct = -2, CumulativePnlPct = -2 };
        Assert.Empty(scenario.Decide().Reasons);

        scenario.Settings.MaxDailyLossPct = 2;
        Assert.Equal([VetoReason.RiskLimit], scenario.Decide().Reasons);

        scenario.Settings.MaxDailyLossPct = 5;
        scenario.Settings.MaxTotalLossPct = 1.5;
        Assert.Equal([VetoReason.RiskLimit], scenario.Decide().Reasons);
    }

    [Fact]
    public void The_kill_switch_holds_across_days()
    {
        var scenario = Scenario.Aligned();
        scenario.Risk = scenario.Risk with { Halted = true, Day = Clocks.Today.AddDays(-3) };
        Assert.Equal([VetoReason.KillSwitch], scenario.Decide().Reasons);
    }

    [Theory]
    [InlineData("09:00", "17:00", "14:30", true)]
    [InlineData("09:00", "17:00", "09:00", true)]
    [InlineData("09:00", "17:00", "08:59", false)]
    [InlineData("09:00", "17:00", "17:00", false)]
    [InlineData("09:00", "17:00", "23:00", false)]
    [InlineData("22:00", "06:00", "23:00", true)]
    [InlineData("22:00", "06:00", "22:00", true)]
    [InlineData("22:00", "06:00", "00:00", true)]
    [InlineData("22:00", "06:00", "03:00", true)]
    [InlineData("22:00", "06:00", "05:59", true)]
    [InlineData("22:00", "06:00", "06:00", false)]
    [InlineData("22:00", "06:00", "12:00", false)]
    [InlineData("22:00", "06:00", "21:59", false)]
    [InlineData("00:00", "00:00", "12:00", true)]
    [InlineData("09:30", "09:30", "03:00", true)]
    public void The_trading_window_is_utc_and_may_span_midnight(string start, string end, string now, bool inside)
    {
        var at = new DateTimeOffset(Clocks.Now.Date.Add(TimeOnly.Parse(now).ToTimeSpan()), TimeSpan.Zero);
        var scenario = Scenario.Aligned(at);
        scenario.Settings.TradingWindowStartUtc = TimeOnly.Parse(start);
        scenario.Settings.TradingWindowEndUtc = TimeOnly.Parse(end);

        var reasons = scenario.Decide().Reasons;

        Assert.Equal(inside ? [] : [VetoReason.OutsideHours], reasons);
    }

    [Fact]
    public void A_window_with_only_a_start_is_no_window()
    {
        var scenario = Scenario.Aligned();
        scenario.Settings.TradingWindowStartUtc = new TimeOnly(20, 0);
        Assert.Empty(scenario.Decide().Reasons);
    }

    [Fact]
    public void Trading_days_restrict_the_window()
    {
        var weekdays = new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday };
        var thursday = Scenario.Aligned();
        thursday.Settings.TradingDays = weekdays;
        Assert.Empty(thursday.Decide().Reasons);

        var saturday = Scenario.Aligned(Clocks.Now.AddDays(2));
        saturday.Settings.TradingDays = weekdays;
        Assert.Equal([VetoReason.OutsideHours], saturday.Decide().Reasons);
    }

    [Theory]
    [InlineData(3, 2, 0, false)]
    [InlineData(3, 3, 0, true)]
    [InlineData(3, 9, 0, true)]
    [InlineData(3, 3, -1, false)] // yesterday's entries
    [InlineData(null, 1000, 0, false)]
    public void Max_decisions_caps_entries_per_utc_day(int? max, int entries, int dayOffset, bool vetoed)
    {
        var scenario = Scenario.Aligned();
        scenario.Settings.MaxEntriesPerDay = max;
        scenario.Risk = scenario.Risk with { EntriesToday = entries, Day = Clocks.Today.AddDays(dayOffset) };
        Assert.Equal(vetoed, scenario.Decide().Reasons.Contains(VetoReason.MaxDecisions));
    }

    // ---- live and stale timeframes ----

    [Fact]
    public void A_stale_timeframe_is_excluded_from_the_score_and_marked_not_live()
    {
        // A 1D sell at 90, 73 h old (more than 3 daily bars): it would conflict and sink the score if live.
        var scenario = Scenario.Aligned().With("D", Sell, 90, TimeSpan.FromHours(73));

        var decision = scenario.Decide();

        Assert.Equal(Verdict.Execute, decision.Verdict);
        Assert.Equal(0.8, decision.Score, 6);
        Assert.Equal(1.0, decision.Alignment, 6);
        var daily = Assert.Single(decision.Inputs, i => i.Timeframe == Timeframe.Parse("1D"));
        Assert.False(daily.Live);
        Assert.Equal(73 * 3600, daily.AgeSeconds, 6);
        Assert.Equal(-1, daily.Direction);
        Assert.Equal(90, daily.Confidence);
        Assert.Equal(Timeframe.Parse("1D").Weight, daily.Weight);
        Assert.All(decision.Inputs.Where(i => i != daily), i => Assert.True(i.Live));
    }

    [Theory]
    [InlineData(3.0, 12 * 60, true)]
    [InlineData(3.0, (12 * 60) + 1, false)]
    [InlineData(1.0, 4 * 60, true)]
    [InlineData(1.0, 5 * 60, false)]
    public void A_timeframe_is_live_for_stale_bars_of_its_duration(double staleBars, int ageMinutes, bool live)
    {
        var scenario = new Scenario().With("240", Buy, 80, TimeSpan.FromMinutes(ageMinutes));
        scenario.Settings.StaleBars = staleBars;
        Assert.Equal(live, scenario.Decide().Inputs.Single(i => i.Timeframe == Timeframe.Parse("4h")).Live);
    }

    [Fact]
    public void With_nothing_live_the_score_is_0_and_the_entry_is_weak()
    {
        var scenario = new Scenario();
        scenario.Signal = scenario.Signal with { Timeframe = "1", AlertTime = Clocks.Now.AddMinutes(-10), ReceivedAt = Clocks.Now.AddMinutes(-1) };

        var decision = scenario.Decide();

        Assert.Equal(0, decision.Score);
        Assert.Equal(0, decision.Alignment);
        Assert.Contains(VetoReason.WeakConfluence, decision.Reasons);
        Assert.False(Assert.Single(decision.Inputs).Live);
    }

    [Fact]
    public void Inputs_list_every_timeframe_shortest_first_with_its_weight()
    {
        var scenario = new Scenario().With("1W", Sell, 30).With("1", Buy, 70).With("240", Close, 55);

        var inputs = scenario.Decide().Inputs;

        Assert.Equal(["1m", "15m", "4h", "1W"], inputs.Select(i => i.Timeframe.Label));
        Assert.Equal([1, 1, 0, -1], inputs.Select(i => i.Direction));
        Assert.Equal([70, 80, 55, 30], inputs.Select(i => i.Confidence));
        Assert.Equal([1.0, 4.91, 8.91, 14.30], inputs.Select(i => Math.Round(i.Weight, 2)));
        Assert.Equal("sig_1W_0", inputs[3].SignalId);
    }

    [Fact]
    public void A_timeframe_observed_ahead_of_the_clock_is_live_with_age_0()
    {
        var scenario = new Scenario().With("60", Buy, 80, TimeSpan.FromMinutes(-2));
        var hourly = scenario.Decide().Inputs.Single(i => i.Timeframe == Timeframe.Parse("1h"));
        Assert.True(hourly.Live);
        Assert.Equal(0, hourly.AgeSeconds);
    }

    [Fact]
    public void A_close_on_a_timeframe_dilutes_the_score_without_opposing_it()
    {
        // 15m buy 80 (w 4.906891) and 1h close (w 6.906891): score = 4.906891·0.8 / 11.813781 = 0.332282
        var decision = new Scenario().With("60", Close).Decide();
        Assert.Equal(0.332282, decision.Score, 6);
        Assert.Equal(0.415353, decision.Alignment, 6);
        Assert.DoesNotContain(VetoReason.WeakConfluence, decision.Reasons);
        Assert.DoesNotContain(VetoReason.HtfConflict, decision.Reasons);
    }
}
