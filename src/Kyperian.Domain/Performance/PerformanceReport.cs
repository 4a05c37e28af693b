using System.Text.Json.Serialization;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Performance;

/// <summary>
/// The decisions' track record: the model's closed trades, and what the vetoed entries would have returned. Every figure
/// is a plain percentage of price (a trade's move from entry to exit in its favour, % of the entry price), summed, not
/// compounded: no fees, no slippage, no position sizes. Figures are rounded to 4 decimal places.
/// </summary>
public sealed record PerformanceReport
{
    public const string BasisText =
        "Plain percentages of price: each trade's move from entry to exit in its favour, % of the entry price, summed (not compounded); no fees, no slippage, no position sizes.";

    public string Basis { get; init; } = BasisText;

    /// <summary>Model trades closed by an executed Exit or Reverse.</summary>
    public required int ClosedTrades { get; init; }

    /// <summary>Closed trades with both prices known: the ones every return figure is about.</summary>
    public required int PricedTrades { get; init; }

    public required int Wins { get; init; }

    public required int Losses { get; init; }

    /// <summary>Wins in % of the priced trades; null without any.</summary>
    public decimal? WinRatePct { get; init; }

    public decimal? AverageReturnPct { get; init; }

    public required decimal TotalReturnPct { get; init; }

    /// <summary>The priced trade with the lowest return.</summary>
    public TradeReturn? WorstTrade { get; init; }

    /// <summary>
    /// The largest fall of the model equity curve (the running sum of the trades' returns, in close order, from 0) from
    /// its highest point before: in percentage points.
    /// </summary>
    public required decimal MaxDrawdownPct { get; init; }

    /// <summary>Vetoed entries (an entry or a reversal the engine vetoed), each once whatever its reasons.</summary>
    public required int VetoedEntries { get; init; }

    /// <summary>What the vetoed entries would have returned, by veto reason (an entry vetoed for two reasons counts under each).</summary>
    public required IReadOnlyList<VetoValue> Vetoes { get; init; }
}

/// <summary>A closed trade and its return, % of its entry price.</summary>
public sealed record TradeReturn(ClosedTrade Trade, decimal ReturnPct);

/// <summary>
/// The counterfactual of the entries one reason vetoed: had each executed at its price, what it would have returned by
/// the symbol's next exit or reversal (else the latest price seen after it).
/// </summary>
/// <param name="Reason">The veto reason.</param>
/// <param name="VetoedEntries">Entries it vetoed.</param>
/// <param name="Priced">Those with an entry price and a price after the veto: the ones the returns are about.</param>
/// <param name="TotalReturnPct">Their returns, summed.</param>
/// <param name="AverageReturnPct">Null when none is priced.</param>
/// <param name="WouldHaveWon">Priced entries that would have gained: the veto cost this much.</param>
/// <param name="WouldHaveLost">Priced entries that would have lost: the veto saved this much.</param>
/// <param name="Text">One sentence: "HTF_CONFLICT vetoed 14 entries: they would have returned -6.2 % in total."</param>
public sealed record VetoValue(
    VetoReason Reason,
    int VetoedEntries,
    int Priced,
    decimal TotalReturnPct,
    decimal? AverageReturnPct,
    int WouldHaveWon,
    int WouldHaveLost,
    string Text);

/// <summary>How a vetoed entry's counterfactual ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CounterfactualEnd>))]
public enum CounterfactualEnd
{
    /// <summary>At the symbol's next close alert.</summary>
    Exit,

    /// <summary>At the symbol's next alert the other way.</summary>
    Reversal,

    /// <summary>No exit or reversal followed: at the latest price seen after the veto.</summary>
    LatestPrice,

    /// <summary>No return: the veto had no price, or no price followed it.</summary>
    Unpriced,
}

/// <summary>One vetoed entry, had it executed.</summary>
/// <param name="DecisionId">The vetoing decision.</param>
/// <param name="Symbol">Its symbol.</param>
/// <param name="Reasons">Its reasons.</param>
/// <param name="Direction">+1 long, -1 short.</param>
/// <param name="EntryPrice">The vetoed signal's price.</param>
/// <param name="VetoedAt">When it was vetoed.</param>
/// <param name="End">What ended it.</param>
/// <param name="ExitPrice">The price it would have been closed at.</param>
/// <param name="ExitDecisionId">The later decision that price is from.</param>
/// <param name="ExitAt">When that decision was made.</param>
/// <param name="ReturnPct">Its return, % of the entry price; null when <see cref="CounterfactualEnd.Unpriced"/>.</param>
public sealed record Counterfactual(
    string DecisionId,
    Symbol Symbol,
    IReadOnlyList<VetoReason> Reasons,
    int Direction,
    decimal? EntryPrice,
    DateTimeOffset VetoedAt,
    CounterfactualEnd End,
    decimal? ExitPrice,
    string? ExitDecisionId,
    DateTimeOffset? ExitAt,
    decimal? ReturnPct);
