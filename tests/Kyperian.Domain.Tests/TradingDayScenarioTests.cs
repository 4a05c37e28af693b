using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Time.Testing;

namespace Kyperian.Domain.Tests;

/// <summary>
/// What the engine's host does around the pure rules, in memory: the timeframe state, bar-close bursts held for the
/// settle window on a fake clock, the model position and closed trades, the risk ledger and its events.
/// </summary>
internal sealed class Desk
{
    private readonly Dictionary<Timeframe, TimeframeSignal> _state = [];
    private PendingBurst? _burst;
    private int _sequence;

    public Desk(DateTimeOffset start) => Clock = new FakeTimeProvider(start);

    public FakeTimeProvider Clock { get; }

    public EngineSettings Settings { get; } = new();

    public Symbol Symbol { get; } = Symbol.FromTrusted("BTCUSDT");

    public Position Position { get; private set; } = Position.FlatOf(Symbol.FromTrusted("BTCUSDT"));

    public RiskState Risk { get; private set; } = RiskState.Empty;

    public DateTimeOffset? LastExecuteAt { get; private set; }

    public List<Decision> Decisions { get; } = [];

    public List<ClosedTrade> Trades { get; } = [];

    public List<RiskEvent> RiskEvents { get; } = [];

    /// <summary>The trader has run these alerts for weeks: the symbol's state knows its timeframes (all stale now).</summary>
    public Desk Knows(params string[] timeframes)
    {
        foreach (var raw in timeframes)
        {
            var timeframe = Timeframe.Parse(raw);
            _state[timeframe] = new TimeframeSignal(timeframe, SignalAction.Close, 50, Clock.GetUtcNow().AddDays(-7), $"sig_lastweek_{timeframe.Label}");
        }

        return this;
    }

    /// <summary>TradingView's alert arrives now, sent at <paramref name="sentAt"/> ({{timenow}}).</summary>
    public void Alert(string timeframe, SignalAction action, int? confidence, decimal price, DateTimeOffset sentAt)
    {
        var signal = new SignalBuilder
        {
            Timeframe = timeframe, Action = action, Confidence = confidence, Price = price,
            AlertTime = sentAt, ReceivedAt = Clock.GetUtcNow(), Id = $"sig_{++_sequence:D2}_{timeframe}_{action}",
        }.Build();

        var plan = Settings.SettleMilliseconds == 0
            ? new BurstPlan(null, [])
            : BurstPlan.For(signal, _state.Values, Settings.BarCloseTolerance);
        if (_burst is { } open)
        {
            open.Add(signal, plan);
            if (open.IsComplete)
            {
                DecideBurst();
            }
        }
        else if (plan.DecideAtOnce)
        {
            Decide([signal]);
        }
        else
        {
            _burst = PendingBurst.Open(signal, plan, Clock.GetUtcNow(), Settings.Settle);
        }
    }

    /// <summary>The clock moves on; a burst whose settle window lapsed is decided with what arrived.</summary>
    public void Wait(TimeSpan span)
    {
        Clock.Advance(span);
        if (_burst is { } open && Clock.GetUtcNow() >= open.Deadline)
        {
            DecideBurst();
        }
    }

    public void AdvanceTo(DateTimeOffset at) => Wait(at - Clock.GetUtcNow());

    /// <summary><c>POST /risk/pnl</c>.</summary>
    public void ReportPnl(double pnlPct)
    {
        var before = Risk;
        Risk = Risk.WithPnl(pnlPct, Settings.TradingDayOf(Clock.GetUtcNow()));
        RiskEvents.AddRange(Domain.Risk.RiskEvents.Between(before, Risk, Settings.RiskLimits, Clock.GetUtcNow()));
    }

    private void DecideBurst()
    {
        var members = _burst!.Members;
        _burst = null;
        Decide(members);
    }

    private void Decide(IReadOnlyList<Signal> members)
    {
        foreach (var member in members)
        {
            var candidate = TimeframeSignal.From(member);
            if (candidate.Supersedes(_state.GetValueOrDefault(member.Timeframe)))
            {
                _state[member.Timeframe] = candidate;
            }
        }

        var now = Clock.GetUtcNow();
        var before = Risk;
        Risk = Risk.On(Settings.TradingDayOf(now));
        RiskEvents.AddRange(Domain.Risk.RiskEvents.Between(before, Risk, Settings.RiskLimits, now));

        var decision = new DecisionEngine(Settings.Copy(), Clock).Decide(
            DecisionInput.ForBurst(members, [.. _state.Values], Risk, LastExecuteAt, Position));
        Decisions.Add(decision);
        if (decision.Verdict != Verdict.Execute)
        {
            return;
        }

        LastExecuteAt = decision.DecidedAt;
        if (decision.IsEntry)
        {
            Risk = Risk.WithEntry(Settings.TradingDayOf(now));
        }

        Assert.Equal(PositionMoveOutcome.Applied, decision.PositionChange!.AppliedTo(Position));
        Position = decision.PositionAfter!;
        if (decision.ClosedTrade is { } trade)
        {
            Trades.Add(trade);
        }
    }
}

/// <summary>
/// Thursday 15 January 2026 on BTCUSDT, alerts on 1D, 4h, 1h and 15m with <c>{{timenow}}</c>, default settings:
/// read as a trader would.
/// </summary>
public class TradingDayScenarioTests
{
    private static readonly DateTimeOffset Thursday = new(2026, 1, 15, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int hour, int minute = 0, double second = 0) => Thursday.AddHours(hour).AddMinutes(minute).AddSeconds(second);

    [Fact]
    public void A_trading_day()
    {
        var desk = new Desk(At(0)).Knows("1D", "240", "60", "15");

        // 00:00 The daily bar closes up, but not confidently, and nothing else speaks: no trade.
        desk.AdvanceTo(At(0, 0, 1.2));
        desk.Alert("1D", SignalAction.Buy, 45, 100m, At(0, 0, 1));
        Assert.Empty(desk.Decisions); // the 4h, 1h and 15m close too: it waits for them
        desk.Wait(TimeSpan.FromSeconds(2));
        var midnight = Assert.Single(desk.Decisions);
        Assert.Equal(Verdict.Veto, midnight.Verdict);
        Assert.Equal([VetoReason.LowConfidence, VetoReason.TooFewTimeframes, VetoReason.NoHigherTimeframe], midnight.Reasons);
        Assert.Equal("No live timeframe above 1D agrees with this BUY.", midnight.Explanations[2].Text);

        // 04:00 The 4h closes with the 1h and the 15m; they arrive within a second, 15m before 1h.
        desk.AdvanceTo(At(4, 0, 1.1));
        desk.Alert("240", SignalAction.Buy, 75, 101m, At(4, 0, 1));
        desk.Wait(TimeSpan.FromMilliseconds(300));
        desk.Alert("15", SignalAction.Buy, 80, 101.2m, At(4, 0, 1));
        desk.Wait(TimeSpan.FromMilliseconds(500));
        desk.Alert("60", SignalAction.Buy, 70, 101.1m, At(4, 0, 1));
        Assert.Equal(2, desk.Decisions.Count); // decided as soon as the last awaited timeframe arrived: one decision
        var entry = desk.Decisions[^1];
        Assert.Equal(Verdict.Execute, entry.Verdict);
        Assert.Equal(TradeAction.EnterLong, entry.Action);
        Assert.Equal(["sig_02_240_Buy", "sig_03_15_Buy", "sig_04_60_Buy"], entry.MemberSignalIds);
        Assert.Equal(Timeframe.Parse("15"), entry.Timeframe);
        Assert.Equal(101.2m, entry.Price);
        Assert.All(
            entry.Inputs.Where(i => i.Timeframe <= Timeframe.Parse("240")),
            i => Assert.True(i.Live && i.Direction == 1, $"{i.Timeframe} should be a live BUY"));
        Assert.Equal(["15m", "1h", "4h", "1D"], entry.Inputs.Where(i => i.Live).Select(i => i.Timeframe.Label));
        Assert.Equal(0.512, entry.PositionSizePct, 3); // 1 % × score 0.64 × confidence 0.8
        Assert.Equal(PositionSide.Long, desk.Position.Side);
        Assert.Equal(101.2m, desk.Position.EntryPrice);

        // 05:00 The 1h turns to sell alone (the 15m stays quiet): outvoted by the 4h, the long stays.
        desk.AdvanceTo(At(5, 0, 1.3));
        desk.Alert("60", SignalAction.Sell, 85, 100.4m, At(5, 0, 1));
        desk.Wait(TimeSpan.FromSeconds(2)); // it waited for the 15m, which closes at 05:00 too
        var conflict = desk.Decisions[^1];
        Assert.Equal(Verdict.Veto, conflict.Verdict);
        Assert.Equal(TradeAction.Reverse, conflict.Action);
        Assert.Equal(
            [VetoReason.HtfConflict, VetoReason.WeakConfluence, VetoReason.TooFewTimeframes, VetoReason.NoHigherTimeframe],
            conflict.Reasons);
        Assert.Equal("4h is a live BUY at 75 % against this SELL.", conflict.Explanations[0].Text);
        Assert.Equal(Timeframe.Parse("240"), conflict.Explanations[0].Timeframe);
        Assert.Equal(PositionSide.Long, conflict.PositionAfter!.Side);
        Assert.Empty(desk.Trades);

        // 06:15 The 15m says close: an isolated alert, decided at once. The long is closed at 103.
        desk.AdvanceTo(At(6, 15, 1.1));
        desk.Alert("15", SignalAction.Close, null, 103m, At(6, 15, 1));
        var exit = desk.Decisions[^1];
        Assert.Equal((Verdict.Execute, TradeAction.Exit), (exit.Verdict, exit.Action));
        Assert.Equal(exit.DecidedAt, desk.Clock.GetUtcNow()); // no settle wait
        var firstTrade = Assert.Single(desk.Trades);
        Assert.Equal((PositionSide.Long, 101.2m, 103m), (firstTrade.Side, firstTrade.EntryPrice, firstTrade.ExitPrice));
        Assert.Equal(1.778656, firstTrade.ReturnPct!.Value, 6);
        Assert.True(desk.Position.IsFlat);

        // 06:30 A second close is nothing to close.
        desk.AdvanceTo(At(6, 30, 1.1));
        desk.Alert("15", SignalAction.Close, null, 103.1m, At(6, 30, 1));
        Assert.Equal([VetoReason.NoPosition], desk.Decisions[^1].Reasons);

        // 08:00 Everything lines up long again.
        desk.AdvanceTo(At(8, 0, 1.1));
        desk.Alert("240", SignalAction.Buy, 80, 104m, At(8, 0, 1));
        desk.Alert("60", SignalAction.Buy, 75, 104m, At(8, 0, 1));
        desk.Alert("15", SignalAction.Buy, 80, 104m, At(8, 0, 1));
        Assert.Equal((Verdict.Execute, TradeAction.EnterLong), (desk.Decisions[^1].Verdict, desk.Decisions[^1].Action));

        // 12:00 The 4h, 1h and 15m all turn to sell at the close: the long is reversed into a short.
        desk.AdvanceTo(At(12, 0, 1.1));
        desk.Alert("15", SignalAction.Sell, 80, 99m, At(12, 0, 1));
        desk.Alert("240", SignalAction.Sell, 85, 99m, At(12, 0, 1));
        desk.Alert("60", SignalAction.Sell, 80, 99m, At(12, 0, 1));
        var reversal = desk.Decisions[^1];
        Assert.Equal((Verdict.Execute, TradeAction.Reverse), (reversal.Verdict, reversal.Action));
        Assert.Equal(PositionSide.Long, reversal.PositionBefore!.Side);
        Assert.Equal(PositionSide.Short, reversal.PositionAfter!.Side);
        Assert.Equal((PositionSide.Long, 104m, 99m), (reversal.ClosedTrade!.Side, reversal.ClosedTrade.EntryPrice, reversal.ClosedTrade.ExitPrice));
        Assert.Equal(2, desk.Trades.Count);
        Assert.Equal(99m, desk.Position.EntryPrice);

        // 12:30 The broker account had a bad morning: the operator reports the losses.
        desk.AdvanceTo(At(12, 30));
        desk.ReportPnl(-4.2);
        Assert.Equal((RiskEventKind.Warning, RiskLimit.DailyLoss), (desk.RiskEvents[^1].Kind, desk.RiskEvents[^1].Limit));
        desk.ReportPnl(-1.3);
        Assert.Equal((RiskEventKind.Breach, RiskLimit.DailyLoss), (desk.RiskEvents[^1].Kind, desk.RiskEvents[^1].Limit));

        // 13:15 Exits are never held back by a limit: the short is closed.
        desk.AdvanceTo(At(13, 15, 1.1));
        desk.Alert("15", SignalAction.Close, null, 98m, At(13, 15, 1));
        Assert.Equal((Verdict.Execute, TradeAction.Exit), (desk.Decisions[^1].Verdict, desk.Decisions[^1].Action));
        Assert.True(desk.Position.IsFlat);

        // 16:00 A clean long setup is vetoed by the daily limit alone.
        desk.AdvanceTo(At(16, 0, 1.1));
        desk.Alert("240", SignalAction.Buy, 80, 100m, At(16, 0, 1));
        desk.Alert("60", SignalAction.Buy, 80, 100m, At(16, 0, 1));
        desk.Alert("15", SignalAction.Buy, 80, 100m, At(16, 0, 1));
        var limited = desk.Decisions[^1];
        Assert.Equal([VetoReason.RiskLimit], limited.Reasons);
        Assert.Equal((8 * 3600) - 1, limited.Explanations[0].RemainingSeconds); // decided at 16:00:01.1

        // 17:00 Recovery: +1 % brings the day back to −4.5 %, which does not lift the limit.
        desk.AdvanceTo(At(17, 0));
        desk.ReportPnl(1);
        Assert.Equal(4.5, desk.Risk.DailyLossPct, 9);
        desk.AdvanceTo(At(20, 0, 1.1));
        desk.Alert("240", SignalAction.Buy, 85, 101m, At(20, 0, 1));
        desk.Alert("60", SignalAction.Buy, 85, 101m, At(20, 0, 1));
        desk.Alert("15", SignalAction.Buy, 85, 101m, At(20, 0, 1));
        var stillLimited = desk.Decisions[^1];
        Assert.Equal([VetoReason.RiskLimit], stillLimited.Reasons);
        Assert.Equal(
            "The day's loss reached 5.5 % (now 4.5 %) from the day's starting equity, at the 5 % daily limit: no entries until the next trading day starts at 2026-01-16 00:00 UTC.",
            stillLimited.Explanations[0].Text);

        // Friday 00:00 A new trading day: the daily, 4h, 1h and 15m close together and the long executes.
        desk.AdvanceTo(At(24, 0, 1.1));
        desk.Alert("1D", SignalAction.Buy, 70, 102m, At(24, 0, 1));
        desk.Alert("15", SignalAction.Buy, 80, 102m, At(24, 0, 1));
        desk.Alert("240", SignalAction.Buy, 80, 102m, At(24, 0, 1));
        desk.Alert("60", SignalAction.Buy, 80, 102m, At(24, 0, 1));
        var friday = desk.Decisions[^1];
        Assert.Equal((Verdict.Execute, TradeAction.EnterLong), (friday.Verdict, friday.Action));
        Assert.Equal(4, friday.MemberSignalIds.Count);
        Assert.Contains(desk.RiskEvents, e => e.Kind == RiskEventKind.Resume && e.Limit == RiskLimit.DailyLoss);

        // Every signal of the day is answered by exactly one decision.
        var members = desk.Decisions.SelectMany(d => d.MemberSignalIds).ToList();
        Assert.Equal(members.Count, members.Distinct().Count());
        Assert.Equal(24, members.Count);
        Assert.Equal(11, desk.Decisions.Count);
    }

    [Fact]
    public void With_a_settle_window_of_0_every_alert_is_decided_at_once()
    {
        var desk = new Desk(At(4, 0, 1.1)).Knows("1D", "240", "60", "15");
        desk.Settings.SettleMilliseconds = 0;

        desk.Alert("240", SignalAction.Buy, 75, 101m, At(4, 0, 1));
        desk.Alert("15", SignalAction.Buy, 80, 101m, At(4, 0, 1));

        Assert.Equal(2, desk.Decisions.Count);
        Assert.All(desk.Decisions, d => Assert.Single(d.MemberSignalIds));
    }
}
