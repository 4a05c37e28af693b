using System.Globalization;
using Kyperian.Domain.Positions;

namespace Kyperian.Domain.Decisions;

/// <summary>A decision in one line of plain words, for lists a trader scans: what it did to the position, or why not.</summary>
public static class DecisionLine
{
    public static string Of(Decision decision)
    {
        var line = decision.Verdict == Verdict.Veto ? Vetoed(decision) : Executed(decision);
        return decision.MemberSignalIds.Count > 1
            ? string.Create(CultureInfo.InvariantCulture, $"{line} ({decision.MemberSignalIds.Count} alerts of one bar close.)")
            : line;
    }

    /// <summary>The engine's explanations, one sentence per reason; a decision stored before them has its codes only.</summary>
    private static string Vetoed(Decision decision) =>
        decision.Explanations.Count > 0
            ? "Vetoed: " + string.Join(" ", decision.Explanations.Select(e => e.Text))
            : "Vetoed: " + string.Join(", ", decision.Reasons.Select(r => r.Code())) + ".";

    private static string Executed(Decision decision)
    {
        var price = Price(decision.Price);
        switch (decision.Action)
        {
            case TradeAction.Exit:
                return decision.ClosedTrade is { } closed
                    ? $"Closed {closed.Side} at {price} (opened at {Price(closed.EntryPrice)}): {(closed.ReturnPct is { } pct ? Return(pct) : "return unknown")}."
                    : $"Closed the position at {price}.";
            case TradeAction.Reverse:
                var from = decision.PositionBefore?.Side ?? decision.ClosedTrade?.Side;
                var to = decision.PositionAfter?.Side;
                var returned = decision.ClosedTrade?.ReturnPct is { } reversed ? $"the {from} returned {Return(reversed)}" : $"the {from}'s return is unknown";
                return $"Reversed {from} to {to} {Words.Number(decision.PositionSizePct)} % at {price}; {returned}. {Agreement(decision)}";
            default:
                var side = decision.Action == TradeAction.EnterLong ? PositionSide.Long : PositionSide.Short;
                return $"Opened {side} {Words.Number(decision.PositionSizePct)} % at {price}. {Agreement(decision)}";
        }
    }

    /// <summary>"2 of 3 live timeframes agree, score 0.81."</summary>
    private static string Agreement(Decision decision)
    {
        var direction = decision.PositionAfter?.Direction ?? (decision.Action == TradeAction.EnterShort ? -1 : 1);
        var live = 0;
        var agreeing = 0;
        foreach (var input in decision.Inputs)
        {
            if (input.Live)
            {
                live++;
                agreeing += input.Direction == direction ? 1 : 0;
            }
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"{agreeing} of {live} live timeframes agree, score {Words.Number(direction * decision.Score)}.");
    }

    private static string Price(decimal? price) => price is { } known ? known.ToString(CultureInfo.InvariantCulture) : "an unknown price";

    private static string Return(double returnPct) =>
        string.Create(CultureInfo.InvariantCulture, $"{(returnPct > 0 ? "+" : string.Empty)}{Words.Number(returnPct)} %");
}
