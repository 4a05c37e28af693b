using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

/// <summary>A decision in one line: what the console lists for each decision.</summary>
public class DecisionLineTests
{
    [Fact]
    public void An_entry_says_the_side_size_price_and_how_many_live_timeframes_agree()
    {
        var decision = Scenario.Aligned().With("5", SignalAction.Sell, 60).Decide();

        Assert.Equal(Verdict.Execute, decision.Verdict);
        Assert.Equal(
            $"Opened Long {Number(decision.PositionSizePct)} % at 100. 3 of 4 live timeframes agree, score {Number(decision.Score)}.",
            DecisionLine.Of(decision));
    }

    [Fact]
    public void A_short_entry_reports_its_score_the_short_way()
    {
        var scenario = new Scenario { Signal = new SignalBuilder { Action = SignalAction.Sell, Price = null } }
            .With("60", SignalAction.Sell).With("240", SignalAction.Sell);

        var line = DecisionLine.Of(scenario.Decide());

        Assert.StartsWith("Opened Short ", line, StringComparison.Ordinal);
        Assert.Contains(" at an unknown price. 3 of 3 live timeframes agree, score 0.8.", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exit_says_what_it_closed_and_the_return()
    {
        var scenario = new Scenario { Signal = new SignalBuilder { Action = SignalAction.Close, Price = 99m } }.Holding(PositionSide.Long, price: 90m);

        Assert.Equal("Closed Long at 99 (opened at 90): +10 %.", DecisionLine.Of(scenario.Decide()));
    }

    [Fact]
    public void A_reversal_says_both_sides_and_what_the_closed_one_returned()
    {
        var scenario = new Scenario { Signal = new SignalBuilder { Action = SignalAction.Sell, Price = 95m } }
            .With("60", SignalAction.Sell).With("240", SignalAction.Sell)
            .Holding(PositionSide.Long, price: 100m, sizePct: 0.8);

        Assert.Equal(
            "Reversed Long to Short 0.64 % at 95; the Long returned -5 %. 3 of 3 live timeframes agree, score 0.8.",
            DecisionLine.Of(scenario.Decide()));
    }

    [Fact]
    public void A_veto_is_every_reason_in_words_and_a_decision_stored_without_words_has_its_codes()
    {
        var decision = new Scenario { Signal = new SignalBuilder { Confidence = 40 } }.Decide();

        Assert.Equal(
            "Vetoed: " + string.Join(" ", decision.Explanations.Select(e => e.Text)),
            DecisionLine.Of(decision));
        Assert.StartsWith("Vetoed: Confidence 40 is below the minimum of 60. ", DecisionLine.Of(decision), StringComparison.Ordinal);
        Assert.Equal(
            "Vetoed: " + string.Join(", ", decision.Reasons.Select(r => r.Code())) + ".",
            DecisionLine.Of(decision with { Explanations = [] }));
    }

    [Fact]
    public void A_burst_says_how_many_alerts_it_decided()
    {
        var decision = new Scenario { Signal = new SignalBuilder { Action = SignalAction.Close } }.Decide()
            with { MemberSignalIds = ["sig_a", "sig_b", "sig_c"] };

        Assert.Equal("Vetoed: There is nothing to close: BTCUSDT is flat. (3 alerts of one bar close.)", DecisionLine.Of(decision));
    }

    private static string Number(double value) => Math.Round(value, 2).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
}
