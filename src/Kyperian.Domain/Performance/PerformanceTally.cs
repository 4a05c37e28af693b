using System.Globalization;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Performance;

/// <summary>
/// Gathers a <see cref="PerformanceReport"/> one decision at a time, in the order the decisions were made, keeping only
/// running totals and the vetoes still waiting for a later price: a report over any number of decisions, recorded or
/// replayed, in memory that grows with the symbols and the open vetoes only.
/// </summary>
/// <remarks>
/// A vetoed entry (an EnterLong, EnterShort or Reverse the engine vetoed) is valued as if it had executed at its price:
/// it ends at the symbol's next alert that would close it (a close, or an alert the other way, whether that decision
/// executed or not), at that alert's price; with none, at the latest price seen after the veto. Only decisions made
/// after the veto are read for it: nothing it could not have known later is used, and nothing from before.
/// </remarks>
public sealed class PerformanceTally
{
    private readonly Dictionary<Symbol, SymbolWatch> _symbols = [];
    private readonly Returns[] _reasons = new Returns[Enum.GetValues<VetoReason>().Length];
    private readonly Action<Counterfactual>? _valued;
    private long _sequence;

    private readonly Returns _trades = new();
    private decimal _equity;
    private decimal _peak;
    private decimal _maxDrawdown;
    private TradeReturn? _worst;
    private int _vetoedEntries;
    private bool _finished;

    /// <param name="valued">Told each vetoed entry's counterfactual once it is known (for reports that list them).</param>
    public PerformanceTally(Action<Counterfactual>? valued = null)
    {
        _valued = valued;
    }

    /// <summary>+1 long, -1 short, 0 for an exit: which way the decision's signal pointed, whatever its verdict.</summary>
    public static int DirectionOf(Decision decision) => decision.Action switch
    {
        TradeAction.EnterLong => 1,
        TradeAction.EnterShort => -1,
        TradeAction.Reverse => -(decision.PositionBefore?.Direction ?? 0),
        _ => 0,
    };

    /// <summary>A trade's return, % of its entry price, in its favour; null when either price is unknown.</summary>
    public static decimal? ReturnPct(int direction, decimal? entryPrice, decimal? exitPrice) =>
        entryPrice is { } entry && exitPrice is { } exit && entry > 0 ? direction * (exit - entry) * 100m / entry : null;

    /// <summary>Adds the next decision; decisions come in the order they were made.</summary>
    public void Add(Decision decision)
    {
        if (_finished)
        {
            throw new InvalidOperationException("The report is made: a tally takes no decision after it.");
        }

        if (decision.Verdict == Verdict.Execute && decision.ClosedTrade is { } trade)
        {
            AddTrade(trade);
        }

        var sequence = ++_sequence;
        var watch = WatchOf(decision.Symbol);
        var direction = DirectionOf(decision);

        // The decision's own price ends or updates only the vetoes made before it.
        if (direction == 0)
        {
            Close(watch.Longs, watch, decision, CounterfactualEnd.Exit);
            Close(watch.Shorts, watch, decision, CounterfactualEnd.Exit);
        }
        else
        {
            Close(direction > 0 ? watch.Shorts : watch.Longs, watch, decision, CounterfactualEnd.Reversal);
        }

        if (decision.Price is { } price)
        {
            watch.Latest = new Seen(price, decision.DecisionId, decision.DecidedAt, sequence);
        }

        if (decision.Verdict == Verdict.Veto && decision.Action != TradeAction.Exit && direction != 0)
        {
            _vetoedEntries++;
            (direction > 0 ? watch.Longs : watch.Shorts).Add(new OpenVeto(decision, direction, sequence));
        }
    }

    /// <summary>
    /// The report over every decision added: the vetoes no exit or reversal followed are valued at the latest price
    /// seen after them. The tally is finished by it.
    /// </summary>
    public PerformanceReport Report()
    {
        if (!_finished)
        {
            _finished = true;
            foreach (var watch in _symbols.Values)
            {
                foreach (var open in watch.Longs.Concat(watch.Shorts).OrderBy(static v => v.Sequence))
                {
                    Value(open, watch.Latest is { } latest && latest.Sequence > open.Sequence ? latest : null, CounterfactualEnd.LatestPrice);
                }

                watch.Longs.Clear();
                watch.Shorts.Clear();
            }
        }

        var vetoes = new List<VetoValue>();
        for (var i = 0; i < _reasons.Length; i++)
        {
            if (_reasons[i] is { } totals)
            {
                vetoes.Add(totals.Value((VetoReason)i));
            }
        }

        return new PerformanceReport
        {
            ClosedTrades = _trades.Count,
            PricedTrades = _trades.Priced,
            Wins = _trades.Won,
            Losses = _trades.Lost,
            WinRatePct = _trades.Priced > 0 ? Round(_trades.Won * 100m / _trades.Priced) : null,
            AverageReturnPct = _trades.Average,
            TotalReturnPct = Round(_trades.Total),
            WorstTrade = _worst is { } worst ? worst with { ReturnPct = Round(worst.ReturnPct) } : null,
            MaxDrawdownPct = Round(_maxDrawdown),
            VetoedEntries = _vetoedEntries,
            Vetoes = vetoes,
        };
    }

    internal static decimal Round(decimal value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);

    private void AddTrade(ClosedTrade trade)
    {
        var returnPct = ReturnPct(trade.Side == PositionSide.Short ? -1 : 1, trade.EntryPrice, trade.ExitPrice);
        _trades.Add(returnPct);
        if (returnPct is null)
        {
            return;
        }

        if (_worst is null || returnPct < _worst.ReturnPct)
        {
            _worst = new TradeReturn(trade, returnPct.Value);
        }

        _equity += returnPct.Value;
        _peak = Math.Max(_peak, _equity);
        _maxDrawdown = Math.Max(_maxDrawdown, _peak - _equity);
    }

    /// <summary>Ends every open veto of <paramref name="open"/> at <paramref name="closer"/>'s price, else at the latest price after it.</summary>
    private void Close(List<OpenVeto> open, SymbolWatch watch, Decision closer, CounterfactualEnd end)
    {
        if (open.Count == 0)
        {
            return;
        }

        foreach (var veto in open)
        {
            if (closer.Price is { } price)
            {
                Value(veto, new Seen(price, closer.DecisionId, closer.DecidedAt, _sequence), end);
            }
            else
            {
                // An unpriced close still ends it: at the latest price seen between the veto and the close.
                Value(veto, watch.Latest is { } latest && latest.Sequence > veto.Sequence ? latest : null, CounterfactualEnd.LatestPrice);
            }
        }

        open.Clear();
    }

    private void Value(OpenVeto open, Seen? exit, CounterfactualEnd end)
    {
        var veto = open.Decision;
        var returnPct = exit is { } seen ? ReturnPct(open.Direction, veto.Price, seen.Price) : null;
        var counterfactual = new Counterfactual(
            veto.DecisionId,
            veto.Symbol,
            veto.Reasons,
            open.Direction,
            veto.Price,
            veto.DecidedAt,
            returnPct is null ? CounterfactualEnd.Unpriced : end,
            exit?.Price,
            exit?.DecisionId,
            exit?.At,
            returnPct);
        foreach (var reason in veto.Reasons)
        {
            (_reasons[(int)reason] ??= new Returns()).Add(returnPct);
        }

        _valued?.Invoke(counterfactual);
    }

    private SymbolWatch WatchOf(Symbol symbol)
    {
        if (!_symbols.TryGetValue(symbol, out var watch))
        {
            watch = new SymbolWatch();
            _symbols[symbol] = watch;
        }

        return watch;
    }

    /// <summary>A price seen in a decision, and where in the sequence of decisions.</summary>
    private readonly record struct Seen(decimal Price, string DecisionId, DateTimeOffset At, long Sequence);

    private sealed record OpenVeto(Decision Decision, int Direction, long Sequence);

    /// <summary>One symbol's vetoed entries waiting for their end, by side, and its latest price.</summary>
    private sealed class SymbolWatch
    {
        public List<OpenVeto> Longs { get; } = [];

        public List<OpenVeto> Shorts { get; } = [];

        public Seen? Latest { get; set; }
    }

    /// <summary>Returns added up: how many, how many had a price, won, lost, and their sum.</summary>
    private sealed class Returns
    {
        public int Count { get; private set; }

        public int Priced { get; private set; }

        public int Won { get; private set; }

        public int Lost { get; private set; }

        public decimal Total { get; private set; }

        public decimal? Average => Priced > 0 ? Round(Total / Priced) : null;

        /// <param name="returnPct">Null when there was no price to value it by: counted, not summed.</param>
        public void Add(decimal? returnPct)
        {
            Count++;
            if (returnPct is not { } value)
            {
                return;
            }

            Priced++;
            Total += value;
            Won += value > 0 ? 1 : 0;
            Lost += value < 0 ? 1 : 0;
        }

        /// <summary>What the entries one reason vetoed would have returned.</summary>
        public VetoValue Value(VetoReason reason)
        {
            var total = Round(Total);
            var entries = Count == 1 ? "1 entry" : $"{Count} entries";
            var unpriced = Count - Priced;
            var text = Priced == 0
                ? $"{reason.Code()} vetoed {entries}: none has a price to value it by."
                : string.Create(CultureInfo.InvariantCulture, $"{reason.Code()} vetoed {entries}: they would have returned {total:+0.####;-0.####;0} % in total")
                    + (unpriced > 0 ? $" ({unpriced} without a price to value it by)." : ".");
            return new VetoValue(reason, Count, Priced, total, Average, Won, Lost, text);
        }
    }
}
