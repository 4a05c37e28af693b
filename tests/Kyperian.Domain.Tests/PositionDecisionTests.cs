using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

/// <summary>Decisions on a model position: entries, exits, reversals and what they close.</summary>
public class PositionDecisionTests
{
    [Fact]
    public void An_opposite_entry_that_passes_every_rule_reverses_the_position()
    {
        var scenario = new Scenario { Signal = new SignalBuilder { Action = SignalAction.Sell, Price = 95m } }
            .With("60", SignalAction.Sell).With("240", SignalAction.Sell)
            .Holding(PositionSide.Long, price: 100m, sizePct: 0.8);

        var decision = scenario.Decide();

        Assert.Equal(Verdict.Execute, decision.Verdict);
        Assert.Equal(TradeAction.Reverse, decision.Action);
        Assert.True(decision.IsEntry);
        var trade = decision.ClosedTrade!;
        Assert.Equal(PositionSide.Long, trade.Side);
        Assert.Equal(100m, trade.EntryPrice);
        Assert.Equal(95m, trade.ExitPrice);
        Assert.Equal(-5, trade.ReturnPct!.Value, 6);
        Assert.Equal(-0.04, trade.AccountPnlPct!.Value, 6);
        var after = decision.PositionAfter!;
        Assert.Equal(PositionSide.Short, after.Side);
        Assert.Equal(95m, after.EntryPrice);
        Assert.Equal(0.64, after.SizePct, 6);
        Assert.Equal(decision.DecisionId, after.OpeningDecisionId);
        Assert.Equal(decision.PositionSizePct, after.SizePct);
    }

    [Fact]
    public void A_vetoed_reversal_keeps_the_position_and_closes_nothing()
    {
        // The 4h still buys: the 15m sell cannot turn a long into a short.
        var scenario = new Scenario { Signal = new SignalBuilder { Action = SignalAction.Sell } }
            .With("60", SignalAction.Sell).With("240", SignalAction.Buy, 90)
            .Holding(PositionSide.Long);

        var decision = scenario.Decide();

        Assert.Equal(Verdict.Veto, decision.Verdict);
        Assert.Equal(TradeAction.Reverse, decision.Action);
        Assert.Contains(VetoReason.HtfConflict, decision.Reasons);
        Assert.Same(decision.PositionBefore, decision.PositionAfter);
        Assert.Null(decision.ClosedTrade);
        Assert.Null(decision.PositionChange);
    }

    [Theory]
    [InlineData(SignalAction.Buy, PositionSide.Long)]
    [InlineData(SignalAction.Sell, PositionSide.Short)]
    public void An_entry_the_way_the_position_already_points_is_vetoed(SignalAction action, PositionSide held)
    {
        var scenario = new Scenario { Signal = new SignalBuilder { Action = action } }.With("60", action).With("240", action).Holding(held, price: 90m);

        var decision = scenario.Decide();

        Assert.Equal([VetoReason.AlreadyInPosition], decision.Reasons);
        Assert.Equal(action == SignalAction.Buy ? TradeAction.EnterLong : TradeAction.EnterShort, decision.Action);
        Assert.Equal(
            $"BTCUSDT is already {held} 0.5 % at 90, opened 2026-01-15 13:30 UTC.",
            decision.Explanations.Single().Text);
    }

    [Fact]
    public void An_executed_decision_is_a_position_change_the_book_applies_once()
    {
        var decision = Scenario.Aligned().Decide();
        var change = decision.PositionChange!;
        var book = Position.FlatOf(decision.Symbol);

        Assert.Equal(PositionMoveOutcome.Applied, change.AppliedTo(book));
        Assert.Equal(PositionMoveOutcome.AlreadyApplied, change.AppliedTo(change.After));

        var movedMeanwhile = Position.Open(decision.Symbol, -1, 1, 10m, Clocks.Now, "dec_other");
        Assert.Equal(PositionMoveOutcome.Conflict, change.AppliedTo(movedMeanwhile));
    }

    [Fact]
    public void Without_a_price_the_position_opens_and_closes_but_its_return_is_unknown()
    {
        var entry = Scenario.Aligned();
        entry.Signal = entry.Signal with { Price = null };
        var opened = entry.Decide();
        Assert.Equal(Verdict.Execute, opened.Verdict);
        Assert.Null(opened.PositionAfter!.EntryPrice);

        var exit = new Scenario { Signal = new SignalBuilder { Action = SignalAction.Close, Price = 101m }, Position = opened.PositionAfter };
        var trade = exit.Decide().ClosedTrade!;

        Assert.Equal((null, 101m), (trade.EntryPrice, trade.ExitPrice));
        Assert.Null(trade.ReturnPct);
        Assert.Null(trade.AccountPnlPct);

        var again = Scenario.Aligned();
        again.Position = opened.PositionAfter;
        Assert.Equal("BTCUSDT is already Long 0.64 %, opened 2026-01-15 14:30 UTC at an unknown price.", again.Decide().Explanations.Single().Text);
    }

    [Fact]
    public void Closing_a_flat_position_is_a_programming_error() =>
        Assert.Throws<InvalidOperationException>(() => Position.FlatOf(Symbol.FromTrusted("BTCUSDT")).Close(1m, Clocks.Now, "dec_x"));

    [Theory]
    [InlineData(1, 100, 110, 10)]
    [InlineData(-1, 100, 110, -10)]
    [InlineData(-1, 200, 150, 25)]
    [InlineData(1, 0.5, 0.25, -50)]
    public void The_return_is_the_move_in_the_positions_favour(int direction, double entry, double exit, double expected) =>
        Assert.Equal(expected, ClosedTrade.ReturnOf(direction, (decimal)entry, (decimal)exit)!.Value, 6);
}

/// <summary>Signals of one bar close decided together, once.</summary>
public class BurstDecisionTests
{
    private static readonly DateTimeOffset Close = new(2026, 1, 15, 16, 0, 0, TimeSpan.Zero);

    private static Signal Member(string timeframe, SignalAction action, double arrivalSeconds, int confidence = 80, decimal price = 100m) =>
        new SignalBuilder
        {
            Timeframe = timeframe,
            Action = action,
            Confidence = confidence,
            AlertTime = Close.AddSeconds(1),
            ReceivedAt = Close.AddSeconds(arrivalSeconds),
            Price = price,
            Id = $"sig_{timeframe}_{action}_{arrivalSeconds}",
        }.Build();

    private static Decision DecideBurst(Position position, params Signal[] members)
    {
        var state = new Dictionary<Timeframe, TimeframeSignal>();
        foreach (var member in members)
        {
            var candidate = TimeframeSignal.From(member);
            if (candidate.Supersedes(state.GetValueOrDefault(member.Timeframe)))
            {
                state[member.Timeframe] = candidate;
            }
        }

        var input = DecisionInput.ForBurst(members, [.. state.Values], Risk.RiskState.Empty, null, position);
        return new DecisionEngine(new EngineSettings(), Clocks.At(Close.AddSeconds(3))).Decide(input);
    }

    private static Position Flat => Position.FlatOf(Symbol.FromTrusted("BTCUSDT"));

    private static Position Long => Position.Open(Symbol.FromTrusted("BTCUSDT"), 1, 0.5, 90m, Close.AddHours(-4), "dec_opening");

    [Fact]
    public void A_4h_close_with_4h_1h_and_15m_agreeing_is_one_execute_listing_every_member()
    {
        var decision = DecideBurst(Flat, Member("240", SignalAction.Buy, 1.1), Member("15", SignalAction.Buy, 1.4), Member("60", SignalAction.Buy, 1.9));

        Assert.Equal(Verdict.Execute, decision.Verdict);
        Assert.Equal(TradeAction.EnterLong, decision.Action);
        Assert.Equal(["sig_240_Buy_1.1", "sig_15_Buy_1.4", "sig_60_Buy_1.9"], decision.MemberSignalIds);
        Assert.Equal("sig_15_Buy_1.4", decision.SignalId); // entries are timed on the fastest chart
        Assert.Equal(SignalIdentity.DecisionIdFor("sig_15_Buy_1.4"), decision.DecisionId);
        Assert.Equal(["15m", "1h", "4h"], decision.Inputs.Select(i => i.Timeframe.Label));
        Assert.All(decision.Inputs, i => Assert.True(i.Live));
    }

    [Fact]
    public void Members_are_listed_by_arrival_whatever_order_they_are_handed_over_in()
    {
        var decision = DecideBurst(Flat, Member("60", SignalAction.Buy, 1.9), Member("240", SignalAction.Buy, 1.1), Member("15", SignalAction.Buy, 1.4));
        Assert.Equal(["sig_240_Buy_1.1", "sig_15_Buy_1.4", "sig_60_Buy_1.9"], decision.MemberSignalIds);
    }

    [Fact]
    public void Buy_sell_close_on_one_timeframe_in_one_second_is_decided_on_the_last_arrival()
    {
        // The strategy ended flat in that second: the close is what counts, and all three are recorded.
        var decision = DecideBurst(
            Long, Member("15", SignalAction.Buy, 1.1), Member("15", SignalAction.Sell, 1.2), Member("15", SignalAction.Close, 1.3, price: 99m));

        Assert.Equal(Verdict.Execute, decision.Verdict);
        Assert.Equal(TradeAction.Exit, decision.Action);
        Assert.Equal("sig_15_Close_1.3", decision.SignalId);
        Assert.Equal(3, decision.MemberSignalIds.Count);
        Assert.Equal(99m, decision.ClosedTrade!.ExitPrice);
        Assert.Equal(0, Assert.Single(decision.Inputs).Direction);
    }

    [Fact]
    public void A_sell_decided_with_the_buy_before_it_is_judged_after_it_not_before()
    {
        // Same second, but the sell arrived last: it is the 15m's latest, whatever the ids say.
        var sellFirstById = Member("15", SignalAction.Sell, 1.5) with { SignalId = "sig_0000_sell" };
        var buyLaterId = Member("15", SignalAction.Buy, 1.2) with { SignalId = "sig_ffff_buy" };

        var decision = DecideBurst(Flat, buyLaterId, sellFirstById);

        Assert.Equal(TradeAction.EnterShort, decision.Action);
        Assert.Equal(-1, Assert.Single(decision.Inputs).Direction);
    }

    [Fact]
    public void In_a_position_a_close_from_any_member_is_the_trigger_over_an_entry_the_same_way()
    {
        var decision = DecideBurst(Long, Member("240", SignalAction.Close, 1.1), Member("15", SignalAction.Buy, 1.2));

        Assert.Equal(TradeAction.Exit, decision.Action);
        Assert.Equal(Verdict.Execute, decision.Verdict);
        Assert.Equal("sig_240_Close_1.1", decision.SignalId);
    }

    [Fact]
    public void When_flat_an_entry_is_the_trigger_over_a_close()
    {
        var decision = DecideBurst(Flat, Member("15", SignalAction.Close, 1.1), Member("60", SignalAction.Buy, 1.2), Member("240", SignalAction.Buy, 1.3));

        Assert.Equal(TradeAction.EnterLong, decision.Action);
        Assert.Equal("sig_60_Buy_1.2", decision.SignalId);
    }

    [Fact]
    public void A_lower_timeframe_against_the_higher_ones_in_one_burst_is_a_conflict()
    {
        var decision = DecideBurst(Flat, Member("240", SignalAction.Buy, 1.1, 90), Member("15", SignalAction.Sell, 1.2));

        Assert.Equal(TradeAction.EnterShort, decision.Action);
        Assert.Contains(VetoReason.HtfConflict, decision.Reasons);
        Assert.Equal("4h is a live BUY at 90 % against this SELL.", decision.Explanations[decision.Reasons.ToList().IndexOf(VetoReason.HtfConflict)].Text);
    }

    [Fact]
    public void A_burst_of_one_is_the_signal_alone()
    {
        var single = Member("60", SignalAction.Buy, 1);
        Assert.Same(single, DecisionInput.TriggerOf([single], Flat));
        Assert.Equal([single.SignalId], DecideBurst(Flat, single).MemberSignalIds);
    }
}
