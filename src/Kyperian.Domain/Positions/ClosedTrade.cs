using System.Text.Json.Serialization;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Positions;

/// <summary>A model position from its opening decision to the one that closed it (an Exit or a Reverse).</summary>
public sealed record ClosedTrade
{
    public required Symbol Symbol { get; init; }

    /// <summary>Long or Short: the side that was held.</summary>
    public required PositionSide Side { get; init; }

    public required double SizePct { get; init; }

    /// <summary>Null when the opening signal had no price (none sent, none seen for the symbol).</summary>
    public decimal? EntryPrice { get; init; }

    /// <summary>Null when the closing signal had no price.</summary>
    public decimal? ExitPrice { get; init; }

    public required DateTimeOffset OpenedAt { get; init; }

    public required DateTimeOffset ClosedAt { get; init; }

    public required string OpeningDecisionId { get; init; }

    /// <summary>One decision closes at most one trade: this is the trade's id too.</summary>
    public required string ClosingDecisionId { get; init; }

    /// <summary>The price move in the position's favour, % of the entry price; null when either price is unknown.</summary>
    public double? ReturnPct { get; init; }

    /// <summary>
    /// What the trade did to the account, % of equity: a position of <see cref="SizePct"/> % of equity that moved
    /// <see cref="ReturnPct"/> %. This is what <c>PnlSource = Model</c> feeds the risk ledger.
    /// </summary>
    [JsonIgnore]
    public double? AccountPnlPct => ReturnPct is { } returnPct ? Math.Round(SizePct * returnPct / 100.0, 6) : null;

    public static double? ReturnOf(int direction, decimal? entryPrice, decimal? exitPrice) =>
        entryPrice is { } entry && exitPrice is { } exit && entry > 0
            ? Math.Round(direction * (double)((exit - entry) / entry) * 100.0, 6)
            : null;
}
