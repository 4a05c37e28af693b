namespace Kyperian.Domain.Positions;

/// <summary>
/// One executed decision's move of a position: what the book must hold before (compared by
/// <see cref="Position.LastDecisionId"/>, so a stale move is refused), what it holds after, and the trade it closed.
/// Applying the same change twice is a no-op: the book then already holds <see cref="After"/>.
/// </summary>
public sealed record PositionChange(string DecisionId, Position Before, Position After, ClosedTrade? Closed)
{
    /// <summary>The outcome of applying this change to the book's <paramref name="current"/> position.</summary>
    public PositionMoveOutcome AppliedTo(Position current) =>
        current.LastDecisionId == DecisionId ? PositionMoveOutcome.AlreadyApplied
        : current.LastDecisionId == Before.LastDecisionId ? PositionMoveOutcome.Applied
        : PositionMoveOutcome.Conflict;
}

public enum PositionMoveOutcome
{
    /// <summary>The book held <see cref="PositionChange.Before"/> and now holds <see cref="PositionChange.After"/>.</summary>
    Applied,

    /// <summary>The book already held <see cref="PositionChange.After"/>: a redelivered decision.</summary>
    AlreadyApplied,

    /// <summary>The position moved since the decision read it; nothing was changed.</summary>
    Conflict,
}
