using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Performance;
using Kyperian.Domain.Positions;

namespace Kyperian.Domain.Tests;

/// <summary>A vetoed entry is valued only by what came after it, up to what ended it: no look-ahead, no look-back.</summary>
public class CounterfactualProperties
{
    private static readonly string[] Symbols = ["BTCUSDT", "ETHUSDT"];

    private static readonly VetoReason[] EntryReasons = [VetoReason.HtfConflict, VetoReason.Cooldown, VetoReason.LowConfidence, VetoReason.RiskLimit];

    /// <summary>One decision of a random day: its symbol, what it did, whether it executed, its price (or none).</summary>
    public sealed record Step(int Symbol, TradeAction Action, bool Vetoed, int? Price, int Reason);

    private static readonly Gen<Step> Steps =
        from symbol in Gen.Choose(0, Symbols.Length - 1)
        from action in Gen.Elements(TradeAction.EnterLong, TradeAction.EnterShort, TradeAction.Exit, TradeAction.Reverse)
        from vetoed in Gen.Elements(true, true, false)
        from price in Gen.Frequency((1, Gen.Constant<int?>(null)), (6, Gen.Choose(50, 150).Select(p => (int?)p)))
        from reason in Gen.Choose(0, EntryReasons.Length - 1)
        select new Step(symbol, action, vetoed, price, reason);

    private static Decision[] Decisions(Step[] steps) =>
        [.. steps.Select((step, i) => Recorded.Decision(
            $"{i:d4}",
            Symbols[step.Symbol],
            i,
            step.Vetoed ? Verdict.Veto : Verdict.Execute,
            step.Action,
            step.Price,
            step.Vetoed ? [EntryReasons[step.Reason]] : [],
            before: step.Action == TradeAction.Reverse ? (step.Reason % 2 == 0 ? PositionSide.Long : PositionSide.Short) : PositionSide.Flat))];

    private static Dictionary<string, Counterfactual> Valued(IEnumerable<Decision> decisions)
    {
        var valued = new Dictionary<string, Counterfactual>();
        var tally = new PerformanceTally(c => valued.Add(c.DecisionId, c));
        foreach (var decision in decisions)
        {
            tally.Add(decision);
        }

        tally.Report();
        return valued;
    }

    [Property(MaxTest = 300)]
    public Property A_veto_is_valued_by_a_later_decision_of_its_symbol_and_by_nothing_outside_the_span_from_it_to_that_decision() =>
        Prop.ForAll(Gen.ArrayOf(Steps).Where(s => s.Length > 0).ToArbitrary(), steps =>
        {
            var decisions = Decisions(steps);
            var index = decisions.Select((d, i) => (d.DecisionId, i)).ToDictionary(p => p.DecisionId, p => p.i);
            var valued = Valued(decisions);

            foreach (var (id, counterfactual) in valued)
            {
                var at = index[id];
                var end = counterfactual.ExitDecisionId is { } exitId ? index[exitId] : decisions.Length - 1;

                // The price it ends at is a later decision's of the same symbol, and is that decision's price.
                if (counterfactual.ExitDecisionId is not null
                    && (end <= at || decisions[end].Symbol != counterfactual.Symbol || decisions[end].Price != counterfactual.ExitPrice
                        || counterfactual.ExitAt < counterfactual.VetoedAt))
                {
                    return false;
                }

                // Only the decisions from the veto to its end: the same value without what came before or after.
                var span = decisions[at..(end + 1)];
                if (!Valued(span)[id].Equals(counterfactual))
                {
                    return false;
                }

                // Every price before the veto changed, and every price after its end: still the same value.
                var elsewhere = decisions.Select((d, i) => i < at || i > end ? d with { Price = d.Price * 3 + 7 } : d);
                if (!Valued(elsewhere)[id].Equals(counterfactual))
                {
                    return false;
                }
            }

            // Every vetoed entry whose direction is known is valued once.
            return valued.Count == decisions.Count(d => d.Verdict == Verdict.Veto && d.Action != TradeAction.Exit && PerformanceTally.DirectionOf(d) != 0);
        });

    [Property(MaxTest = 200)]
    public Property Decisions_appended_after_the_end_of_a_day_change_nothing_already_ended_by_an_exit_or_reversal() =>
        Prop.ForAll(Gen.ArrayOf(Steps).Where(s => s.Length > 0).ToArbitrary(), Gen.ArrayOf(Steps).ToArbitrary(), (day, later) =>
        {
            var decisions = Decisions(day);
            var extended = Decisions([.. day, .. later]);
            var before = Valued(decisions);
            var after = Valued(extended);
            return before.Values
                .Where(c => c.End is CounterfactualEnd.Exit or CounterfactualEnd.Reversal)
                .All(c => after[c.DecisionId] with { Reasons = c.Reasons } == c);
        });
}
