using Kyperian.Domain.Decisions;
using Kyperian.Domain.Performance;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Tests;

/// <summary>Decisions as the engine records them, built by hand for performance reports.</summary>
internal static class Recorded
{
    public static readonly DateTimeOffset Start = new(2026, 1, 15, 10, 0, 0, TimeSpan.Zero);

    public static Decision Decision(
        string id, string symbol, int minute, Verdict verdict, TradeAction action, decimal? price,
        VetoReason[]? reasons = null, ClosedTrade? closed = null, PositionSide before = PositionSide.Flat) => new()
    {
        DecisionId = "dec_" + id,
        SignalId = "sig_" + id,
        Symbol = Symbol.FromTrusted(symbol),
        Timeframe = Timeframe.Parse("60"),
        Action = action,
        Verdict = verdict,
        Score = 0.5,
        Alignment = 1,
        PositionSizePct = 0,
        Reasons = reasons ?? [],
        Inputs = [],
        Price = price,
        PositionBefore = before == PositionSide.Flat
            ? Position.FlatOf(Symbol.FromTrusted(symbol))
            : Position.Open(Symbol.FromTrusted(symbol), before == PositionSide.Long ? 1 : -1, 1, 1m, Start, "dec_before"),
        ClosedTrade = closed,
        DecidedAt = Start.AddMinutes(minute),
        LatencyMs = 0,
    };

    public static ClosedTrade Trade(string symbol, PositionSide side, decimal entry, decimal exit, int openedMinute, int closedMinute, string closingId) => new()
    {
        Symbol = Symbol.FromTrusted(symbol),
        Side = side,
        SizePct = 1,
        EntryPrice = entry,
        ExitPrice = exit,
        OpenedAt = Start.AddMinutes(openedMinute),
        ClosedAt = Start.AddMinutes(closedMinute),
        OpeningDecisionId = "dec_open_" + openedMinute,
        ClosingDecisionId = "dec_" + closingId,
        ReturnPct = ClosedTrade.ReturnOf(side == PositionSide.Short ? -1 : 1, entry, exit),
    };
}

/// <summary>A small day of two symbols, every figure of its report worked out by hand.</summary>
public class PerformanceTests
{
    private const Verdict Execute = Verdict.Execute;
    private const Verdict Veto = Verdict.Veto;

    /// <summary>
    /// BTC: long 100 → 90 (−10 %); a short vetoed at 80 ends at that exit (−12.5 %); a long vetoed at 50 ends at the short
    /// entry at 40 (−20 %); short 40 → 50 reversed (−25 %); long 50 → 60 (+20 %).
    /// ETH: long 200 → 250 (+25 %); a long vetoed at 200 ends at that exit (+25 %); a short vetoed at 250 meets no exit and
    /// ends at the latest price after it, 200 (+20 %); a short vetoed at 200 has no price after it.
    /// </summary>
    private static Decision[] Day() =>
    [
        Recorded.Decision("b1", "BTCUSDT", 0, Execute, TradeAction.EnterLong, 100m),
        Recorded.Decision("e1", "ETHUSDT", 5, Execute, TradeAction.EnterLong, 200m),
        Recorded.Decision("b2", "BTCUSDT", 10, Veto, TradeAction.EnterShort, 80m, [VetoReason.HtfConflict, VetoReason.WeakConfluence], before: PositionSide.Long),
        Recorded.Decision("e2", "ETHUSDT", 15, Veto, TradeAction.EnterLong, 200m, [VetoReason.AlreadyInPosition], before: PositionSide.Long),
        Recorded.Decision("b3", "BTCUSDT", 20, Execute, TradeAction.Exit, 90m, closed: Recorded.Trade("BTCUSDT", PositionSide.Long, 100m, 90m, 0, 20, "b3"), before: PositionSide.Long),
        Recorded.Decision("e3", "ETHUSDT", 25, Execute, TradeAction.Exit, 250m, closed: Recorded.Trade("ETHUSDT", PositionSide.Long, 200m, 250m, 5, 25, "e3"), before: PositionSide.Long),
        Recorded.Decision("b4", "BTCUSDT", 30, Veto, TradeAction.EnterLong, 50m, [VetoReason.LowConfidence]),
        Recorded.Decision("e4", "ETHUSDT", 35, Veto, TradeAction.EnterShort, 250m, [VetoReason.HtfConflict]),
        Recorded.Decision("b5", "BTCUSDT", 40, Execute, TradeAction.EnterShort, 40m),
        Recorded.Decision("e5", "ETHUSDT", 45, Veto, TradeAction.EnterShort, 200m, [VetoReason.Cooldown]),
        Recorded.Decision("b6", "BTCUSDT", 50, Execute, TradeAction.Reverse, 50m, closed: Recorded.Trade("BTCUSDT", PositionSide.Short, 40m, 50m, 40, 50, "b6"), before: PositionSide.Short),
        Recorded.Decision("b7", "BTCUSDT", 60, Execute, TradeAction.Exit, 60m, closed: Recorded.Trade("BTCUSDT", PositionSide.Long, 50m, 60m, 50, 60, "b7"), before: PositionSide.Long),
    ];

    private static PerformanceReport ReportOf(IEnumerable<Decision> decisions, List<Counterfactual>? valued = null)
    {
        var tally = new PerformanceTally(valued is null ? null : valued.Add);
        foreach (var decision in decisions)
        {
            tally.Add(decision);
        }

        return tally.Report();
    }

    [Fact]
    public void The_closed_trades_add_up_to_the_hand_computed_figures_exactly()
    {
        var report = ReportOf(Day());

        // −10, +25, −25, +20 in close order.
        Assert.Equal((4, 4, 2, 2), (report.ClosedTrades, report.PricedTrades, report.Wins, report.Losses));
        Assert.Equal(50m, report.WinRatePct);
        Assert.Equal(10m, report.TotalReturnPct);
        Assert.Equal(2.5m, report.AverageReturnPct);
        Assert.Equal(-25m, report.WorstTrade!.ReturnPct);
        Assert.Equal("dec_b6", report.WorstTrade.Trade.ClosingDecisionId);

        // Equity −10, +15 (the peak), −10, +10: the fall from 15 to −10 is the largest.
        Assert.Equal(25m, report.MaxDrawdownPct);
        Assert.Equal(PerformanceReport.BasisText, report.Basis);
    }

    [Fact]
    public void Each_vetoed_entry_is_valued_by_the_price_that_ended_it_and_grouped_by_every_reason_it_had()
    {
        var valued = new List<Counterfactual>();
        var report = ReportOf(Day(), valued);

        Assert.Equal(5, report.VetoedEntries);
        Assert.Equal(
            [
                ("dec_b2", CounterfactualEnd.Exit, (decimal?)90m, (decimal?)-12.5m),
                ("dec_e2", CounterfactualEnd.Exit, 250m, 25m),
                ("dec_b4", CounterfactualEnd.Reversal, 40m, -20m),
                ("dec_e4", CounterfactualEnd.LatestPrice, 200m, 20m),
                ("dec_e5", CounterfactualEnd.Unpriced, null, null),
            ],
            valued.OrderBy(c => c.VetoedAt).Select(c => (c.DecisionId, c.End, c.ExitPrice, c.ReturnPct)));

        Assert.Equal(
            [
                new VetoValue(VetoReason.LowConfidence, 1, 1, -20m, -20m, 0, 1, "LOW_CONFIDENCE vetoed 1 entry: they would have returned -20 % in total."),
                new VetoValue(VetoReason.HtfConflict, 2, 2, 7.5m, 3.75m, 1, 1, "HTF_CONFLICT vetoed 2 entries: they would have returned +7.5 % in total."),
                new VetoValue(VetoReason.WeakConfluence, 1, 1, -12.5m, -12.5m, 0, 1, "WEAK_CONFLUENCE vetoed 1 entry: they would have returned -12.5 % in total."),
                new VetoValue(VetoReason.Cooldown, 1, 0, 0m, null, 0, 0, "COOLDOWN vetoed 1 entry: none has a price to value it by."),
                new VetoValue(VetoReason.AlreadyInPosition, 1, 1, 25m, 25m, 1, 0, "ALREADY_IN_POSITION vetoed 1 entry: they would have returned +25 % in total."),
            ],
            report.Vetoes);
    }

    [Fact]
    public void Figures_that_do_not_divide_evenly_are_rounded_to_four_places()
    {
        var report = ReportOf(
        [
            Recorded.Decision("x1", "BTCUSDT", 0, Execute, TradeAction.Exit, 110m, closed: Recorded.Trade("BTCUSDT", PositionSide.Long, 30m, 40m, 0, 0, "x1")),
            Recorded.Decision("x2", "BTCUSDT", 1, Execute, TradeAction.Exit, 110m, closed: Recorded.Trade("BTCUSDT", PositionSide.Long, 30m, 40m, 0, 1, "x2")),
            Recorded.Decision("x3", "BTCUSDT", 2, Execute, TradeAction.Exit, 110m, closed: Recorded.Trade("BTCUSDT", PositionSide.Long, 30m, 30m, 1, 2, "x3")),
        ]);

        // 33.33…, 33.33…, 0: two wins of three, the third neither.
        Assert.Equal(66.6667m, report.TotalReturnPct);
        Assert.Equal(22.2222m, report.AverageReturnPct);
        Assert.Equal(66.6667m, report.WinRatePct);
        Assert.Equal((2, 0), (report.Wins, report.Losses));
        Assert.Equal(0m, report.MaxDrawdownPct);
    }

    [Fact]
    public void A_trade_or_veto_without_a_price_is_counted_and_left_out_of_the_returns()
    {
        var unpricedTrade = Recorded.Trade("BTCUSDT", PositionSide.Long, 100m, 110m, 0, 1, "u1") with { EntryPrice = null, ReturnPct = null };
        var report = ReportOf(
        [
            Recorded.Decision("u0", "BTCUSDT", 0, Veto, TradeAction.EnterShort, null, [VetoReason.HtfConflict]),
            Recorded.Decision("u1", "BTCUSDT", 1, Execute, TradeAction.Exit, 110m, closed: unpricedTrade, before: PositionSide.Long),
        ]);

        Assert.Equal((1, 0), (report.ClosedTrades, report.PricedTrades));
        Assert.Null(report.WinRatePct);
        Assert.Null(report.WorstTrade);
        Assert.Equal(new VetoValue(VetoReason.HtfConflict, 1, 0, 0m, null, 0, 0, "HTF_CONFLICT vetoed 1 entry: none has a price to value it by."), Assert.Single(report.Vetoes));
    }

    [Fact]
    public void An_exit_without_a_price_ends_a_veto_at_the_latest_price_seen_after_it()
    {
        var valued = new List<Counterfactual>();
        ReportOf(
        [
            Recorded.Decision("p0", "BTCUSDT", 0, Veto, TradeAction.EnterLong, 100m, [VetoReason.Cooldown]),
            Recorded.Decision("p1", "BTCUSDT", 1, Veto, TradeAction.EnterLong, 120m, [VetoReason.Cooldown]),
            Recorded.Decision("p2", "BTCUSDT", 2, Veto, TradeAction.Exit, null, [VetoReason.NoPosition]),
            Recorded.Decision("p3", "BTCUSDT", 3, Veto, TradeAction.EnterLong, 999m, [VetoReason.Cooldown]),
        ],
        valued);

        var first = valued.Single(c => c.DecisionId == "dec_p0");
        Assert.Equal((CounterfactualEnd.LatestPrice, (decimal?)120m, (decimal?)20m), (first.End, first.ExitPrice, first.ReturnPct));

        // The second had no price after it before the exit ended it: 999 came later and is not used.
        Assert.Equal(CounterfactualEnd.Unpriced, valued.Single(c => c.DecisionId == "dec_p1").End);
    }

    [Fact]
    public void A_finished_tally_takes_no_more_decisions()
    {
        var tally = new PerformanceTally();
        tally.Report();

        Assert.Throws<InvalidOperationException>(() => tally.Add(Day()[0]));
    }
}
