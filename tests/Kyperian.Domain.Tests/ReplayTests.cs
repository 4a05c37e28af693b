using Kyperian.Domain.Decisions;
using Kyperian.Domain.Replay;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

/// <summary>The replay plays signals through the live engine's steps on a virtual clock, over memory only.</summary>
public class ReplayTests
{
    /// <summary>Thursday 15 January 2026, 00:00 UTC.</summary>
    private static readonly DateTimeOffset Day = new(2026, 1, 15, 0, 0, 0, TimeSpan.Zero);

    private static int _ids;

    private static Signal Alert(string timeframe, SignalAction action, DateTimeOffset at, int? confidence = 80, decimal? price = 100m, string symbol = "BTCUSDT") => new()
    {
        SignalId = $"sig_{Interlocked.Increment(ref _ids):x24}",
        Symbol = Symbol.FromTrusted(symbol),
        Action = action,
        Timeframe = Timeframe.Parse(timeframe),
        Price = price,
        Confidence = confidence,
        Source = "tradingview",
        AlertTime = DateTimeOffset.FromUnixTimeSeconds(at.ToUnixTimeSeconds()),
        ReceivedAt = at,
    };

    /// <summary>A 4h trend, a 1h entry with it, an exit and a reversal: every alert sent inside its bars, so each is decided at once.</summary>
    private static Signal[] TradingMorning() =>
    [
        Alert("240", SignalAction.Buy, Day.AddHours(10).AddMinutes(7)),                          // alone: too few timeframes
        Alert("60", SignalAction.Buy, Day.AddHours(10).AddMinutes(8), price: 101m),              // with the 4h: EXECUTE EnterLong
        Alert("60", SignalAction.Close, Day.AddHours(10).AddMinutes(20), price: 110m),           // EXECUTE Exit: +8.91 %
        Alert("240", SignalAction.Sell, Day.AddHours(10).AddMinutes(37), price: 108m),           // alone the other way
        Alert("60", SignalAction.Sell, Day.AddHours(10).AddMinutes(38), price: 107m),            // with the 4h: EXECUTE EnterShort
    ];

    [Fact]
    public void Signals_inside_their_bars_are_decided_at_once_with_the_engine_s_rules_and_the_model_position()
    {
        var signals = TradingMorning();
        var decisions = EngineReplay.Run(new EngineSettings(), signals).ToArray();

        Assert.Equal(signals.Select(s => (s.SignalId, s.ReceivedAt)), decisions.Select(d => (d.SignalId, d.DecidedAt)));
        Assert.Equal([VetoReason.TooFewTimeframes, VetoReason.NoHigherTimeframe], decisions[0].Reasons);
        Assert.Equal((Verdict.Execute, TradeAction.EnterLong, 0.64), (decisions[1].Verdict, decisions[1].Action, decisions[1].PositionSizePct));
        Assert.Equal((Verdict.Execute, TradeAction.Exit), (decisions[2].Verdict, decisions[2].Action));
        Assert.Equal(8.910891, decisions[2].ClosedTrade!.ReturnPct);
        Assert.Equal((Verdict.Execute, TradeAction.EnterShort), (decisions[4].Verdict, decisions[4].Action));
    }

    [Fact]
    public void A_bar_close_burst_waits_for_the_symbol_s_other_timeframes_and_is_decided_once_when_complete()
    {
        var fourOClock = Day.AddHours(16);
        var earlier = new[]
        {
            // The symbol's timeframes, known from alerts sent inside their bars that morning.
            Alert("15", SignalAction.Close, Day.AddHours(9).AddMinutes(7), 50),
            Alert("60", SignalAction.Close, Day.AddHours(9).AddMinutes(8), 50),
            Alert("240", SignalAction.Close, Day.AddHours(9).AddMinutes(9), 50),
        };
        var burst = new[]
        {
            Alert("240", SignalAction.Buy, fourOClock.AddMilliseconds(300)),
            Alert("60", SignalAction.Buy, fourOClock.AddMilliseconds(800)),
            Alert("15", SignalAction.Buy, fourOClock.AddMilliseconds(1200)),
        };

        var decisions = EngineReplay.Run(new EngineSettings(), [.. earlier, .. burst]).ToArray();

        var decided = Assert.Single(decisions.Skip(3));
        Assert.Equal(Verdict.Execute, decided.Verdict);
        Assert.Equal(burst.Select(s => s.SignalId), decided.MemberSignalIds);
        Assert.Equal(burst[2].SignalId, decided.SignalId); // the lowest timeframe acts; the higher ones confirm
        Assert.Equal(burst[2].ReceivedAt, decided.DecidedAt);
        Assert.All(decided.Inputs, input => Assert.True(input.Live));
    }

    [Fact]
    public void A_burst_missing_a_timeframe_is_decided_when_its_settle_window_lapses_before_the_next_signal_plays()
    {
        var fourOClock = Day.AddHours(16);
        var signals = new[]
        {
            Alert("15", SignalAction.Close, Day.AddHours(9).AddMinutes(7), 50),
            Alert("60", SignalAction.Close, Day.AddHours(9).AddMinutes(8), 50),
            Alert("240", SignalAction.Close, Day.AddHours(9).AddMinutes(9), 50),
            Alert("240", SignalAction.Buy, fourOClock.AddMilliseconds(300)),
            Alert("60", SignalAction.Buy, fourOClock.AddMilliseconds(800)),

            // The 15m never comes; another symbol's alert a minute later finds the burst decided at its deadline.
            Alert("60", SignalAction.Buy, fourOClock.AddMinutes(1), symbol: "ETHUSDT"),
        };
        var replay = new EngineReplay(new EngineSettings());
        var decided = new List<Decision>();
        foreach (var signal in signals[..5])
        {
            replay.Play(signal, decided);
        }

        Assert.Equal(3, decided.Count);
        replay.Play(signals[5], decided);

        var burst = decided[3];
        Assert.Equal([signals[3].SignalId, signals[4].SignalId], burst.MemberSignalIds);
        Assert.Equal(fourOClock.AddMilliseconds(300) + new EngineSettings().Settle, burst.DecidedAt);
        Assert.Equal(Verdict.Execute, burst.Verdict);
        Assert.Equal(signals[5].SignalId, decided[4].SignalId);
    }

    [Fact]
    public void With_no_settle_window_every_signal_is_decided_at_once()
    {
        var fourOClock = Day.AddHours(16);
        var signals = new[]
        {
            Alert("15", SignalAction.Close, Day.AddHours(9).AddMinutes(7), 50),
            Alert("240", SignalAction.Buy, fourOClock.AddMilliseconds(300)),
            Alert("15", SignalAction.Buy, fourOClock.AddMilliseconds(800)),
        };

        var decisions = EngineReplay.Run(new EngineSettings { SettleMilliseconds = 0 }, signals).ToArray();

        Assert.Equal(signals.Select(s => s.SignalId), decisions.Select(d => d.SignalId));
        Assert.All(decisions, d => Assert.Single(d.MemberSignalIds));
    }

    [Fact]
    public void Cooldown_and_model_risk_carry_from_one_decision_to_the_next()
    {
        var settings = new EngineSettings { PnlSource = PnlSource.Model, RiskPerTradePct = 50, MaxPositionPct = 100, MaxDailyLossPct = 5, WarnDailyLossPct = 0 };
        var at = Day.AddHours(10).AddMinutes(7);
        var signals = new[]
        {
            Alert("240", SignalAction.Buy, at),
            Alert("60", SignalAction.Buy, at.AddMinutes(1), price: 100m),             // EXECUTE: 50 % × 0.8 × 0.8 = 32 % of equity
            Alert("60", SignalAction.Close, at.AddMinutes(1.5), price: 80m),          // EXECUTE Exit: -20 % on 32 % = -6.4 % of the account
            Alert("60", SignalAction.Buy, at.AddMinutes(1.75), price: 80m),           // within the 60 s cooldown, and past the daily loss limit
        };
        var replay = new EngineReplay(settings);
        var decided = new List<Decision>();
        foreach (var signal in signals)
        {
            replay.Play(signal, decided);
        }

        Assert.Equal(-6.4, replay.Risk.RealizedPnlTodayPct, 6);
        Assert.Equal(1, replay.Risk.EntriesToday); // the entry; an exit is no entry
        Assert.Contains(VetoReason.Cooldown, decided[3].Reasons);
        Assert.Contains(VetoReason.RiskLimit, decided[3].Reasons);
        Assert.True(replay.PositionOf(Symbol.FromTrusted("BTCUSDT")).IsFlat);
    }

    [Fact]
    public void Stricter_settings_flip_the_expected_decisions_and_each_flip_is_a_difference()
    {
        var signals = TradingMorning();

        var result = Replay(new EngineSettings { MinConfidence = 85 }, signals, RecordedUnderDefaults(signals));

        // The confident-enough-no-more entries are vetoed; the exit then has nothing to close.
        var differences = result.Differences;
        Assert.Equal([signals[1].SignalId, signals[2].SignalId, signals[4].SignalId], differences.Select(d => d.SignalId));
        Assert.Equal((Verdict.Execute, TradeAction.EnterLong, 0.64), Outcome(differences[0].Recorded));
        Assert.Equal((Verdict.Veto, TradeAction.EnterLong, 0.0), Outcome(differences[0].Replayed));
        Assert.Contains(VetoReason.LowConfidence, differences[0].Replayed.Reasons);
        Assert.Equal((Verdict.Execute, TradeAction.Exit, 0.0), Outcome(differences[1].Recorded));
        Assert.Equal([VetoReason.NoPosition], differences[1].Replayed.Reasons);
        Assert.Equal((Verdict.Veto, TradeAction.EnterShort, 0.0), Outcome(differences[2].Replayed));

        var summary = result.Summary;
        Assert.Equal((5, 5, 0, 5, 3, 5), (summary.Signals, summary.Decisions, summary.Executed, summary.Vetoed, summary.Differences, summary.Compared));
        Assert.Contains(new ReasonCount(VetoReason.LowConfidence, 4), summary.ByReason);
        Assert.Equal(0, result.Performance.ClosedTrades);
    }

    [Fact]
    public void The_same_settings_replay_the_recorded_decisions_without_a_difference()
    {
        var signals = TradingMorning();

        var result = Replay(new EngineSettings(), signals, RecordedUnderDefaults(signals));

        Assert.Empty(result.Differences);
        Assert.Equal((5, 0), (result.Summary.Compared, result.Summary.Differences));
        Assert.Equal(8.9109m, result.Performance.TotalReturnPct); // 9 / 101, to 4 places
    }

    [Fact]
    public void A_signal_played_before_the_clock_is_refused()
    {
        var replay = new EngineReplay(new EngineSettings());
        replay.Play(Alert("60", SignalAction.Buy, Day.AddHours(10)), []);

        var error = Assert.Throws<ArgumentException>(() => replay.Play(Alert("60", SignalAction.Buy, Day.AddHours(9)), []));
        Assert.Contains("in the order they arrived", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_replay_keeps_its_own_copy_of_the_settings()
    {
        var settings = new EngineSettings();
        var replay = new EngineReplay(settings);
        settings.MinConfidence = 99;

        Assert.Equal(60, replay.Settings.MinConfidence);
    }

    private static (Verdict, TradeAction, double) Outcome(DecisionOutline outline) => (outline.Verdict, outline.Action, outline.PositionSizePct);

    /// <summary>What the engine decided for the signals with the default settings, as if recorded live.</summary>
    private static RecordedOutcomes RecordedUnderDefaults(Signal[] signals)
    {
        var recorded = new RecordedOutcomes();
        foreach (var decision in EngineReplay.Run(new EngineSettings(), signals))
        {
            recorded.Add(decision);
        }

        return recorded;
    }

    private static ReplayResult Replay(EngineSettings settings, Signal[] signals, RecordedOutcomes recorded)
    {
        var run = new ReplayRun(settings, recorded);
        var decided = new List<Decision>();
        foreach (var signal in signals)
        {
            run.Play(signal, decided);
        }

        run.Finish(decided);
        Assert.Equal(run.Result().Summary.Decisions, decided.Count);
        return run.Result();
    }
}
