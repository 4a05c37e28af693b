using System.Text.Json.Serialization;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Positions;

[JsonConverter(typeof(JsonStringEnumConverter<PositionSide>))]
public enum PositionSide
{
    Flat,
    Long,
    Short,
}

/// <summary>
/// The model position of one symbol: what the EXECUTE decisions did, at the prices their signals carried. It is
/// the engine's book, not a broker's: it says what the recommendations add up to.
/// </summary>
public sealed record Position
{
    public required Symbol Symbol { get; init; }

    public PositionSide Side { get; init; }

    /// <summary>% of equity, as the opening decision recommended; 0 when flat.</summary>
    public double SizePct { get; init; }

    public decimal? EntryPrice { get; init; }

    public DateTimeOffset? OpenedAt { get; init; }

    public string? OpeningDecisionId { get; init; }

    /// <summary>The decision that last moved the position (opened, closed or reversed it): its version.</summary>
    public string? LastDecisionId { get; init; }

    [JsonIgnore]
    public bool IsFlat => Side == PositionSide.Flat;

    /// <summary>+1 long, −1 short, 0 flat: the sign a signal's direction is compared with.</summary>
    [JsonIgnore]
    public int Direction => Side switch
    {
        PositionSide.Long => 1,
        PositionSide.Short => -1,
        _ => 0,
    };

    public static Position FlatOf(Symbol symbol) => new() { Symbol = symbol };

    public static PositionSide SideOf(int direction) => direction switch
    {
        > 0 => PositionSide.Long,
        < 0 => PositionSide.Short,
        _ => PositionSide.Flat,
    };

    /// <summary>
    /// A new position opened by <paramref name="decisionId"/> at <paramref name="price"/>: the signal's, which is null
    /// when it had none and none was seen for the symbol.
    /// </summary>
    public static Position Open(Symbol symbol, int direction, double sizePct, decimal? price, DateTimeOffset at, string decisionId) => new()
    {
        Symbol = symbol,
        Side = SideOf(direction),
        SizePct = sizePct,
        EntryPrice = price,
        OpenedAt = at,
        OpeningDecisionId = decisionId,
        LastDecisionId = decisionId,
    };

    /// <summary>Flat again after <paramref name="decisionId"/> closed this position.</summary>
    public Position ClosedBy(string decisionId) => FlatOf(Symbol) with { LastDecisionId = decisionId };

    /// <summary>The trade this open position becomes when closed at <paramref name="exitPrice"/> (null: unknown).</summary>
    public ClosedTrade Close(decimal? exitPrice, DateTimeOffset at, string closingDecisionId)
    {
        if (IsFlat || OpenedAt is not { } openedAt || OpeningDecisionId is null)
        {
            throw new InvalidOperationException("Only an open position can be closed.");
        }

        return new ClosedTrade
        {
            Symbol = Symbol,
            Side = Side,
            SizePct = SizePct,
            EntryPrice = EntryPrice,
            ExitPrice = exitPrice,
            OpenedAt = openedAt,
            ClosedAt = at,
            OpeningDecisionId = OpeningDecisionId,
            ClosingDecisionId = closingDecisionId,
            ReturnPct = ClosedTrade.ReturnOf(Direction, EntryPrice, exitPrice),
        };
    }
}
