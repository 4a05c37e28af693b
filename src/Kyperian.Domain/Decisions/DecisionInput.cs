using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Decisions;

/// <summary>What the engine knows when it decides.</summary>
/// <param name="Signal">The signal decided on: alone, or the trigger of a burst (<see cref="ForBurst"/>).</param>
/// <param name="Timeframes">The latest signal of the symbol on every timeframe, already updated with every member.</param>
/// <param name="Risk">Account risk as of now.</param>
/// <param name="LastExecuteAt">The last EXECUTE for this symbol, for the cooldown.</param>
public sealed record DecisionInput(
    Signal Signal,
    IReadOnlyList<TimeframeSignal> Timeframes,
    RiskState Risk,
    DateTimeOffset? LastExecuteAt)
{
    /// <summary>The symbol's model position before the decision; null is flat.</summary>
    public Position? Position { get; init; }

    /// <summary>Every signal decided together, in arrival order, <see cref="Signal"/> among them; empty when it is alone.</summary>
    public IReadOnlyList<Signal> Members { get; init; } = [];

    /// <summary>
    /// One decision for signals of one symbol that arrived together (a bar-close burst). The members are put in
    /// arrival order (by receipt); the decision acts on the trigger (<see cref="TriggerOf"/>) and weighs the
    /// timeframe state, which already holds every member, so neither depends on the order within the burst.
    /// </summary>
    public static DecisionInput ForBurst(
        IReadOnlyList<Signal> members,
        IReadOnlyList<TimeframeSignal> timeframes,
        RiskState risk,
        DateTimeOffset? lastExecuteAt,
        Position position)
    {
        ArgumentOutOfRangeException.ThrowIfZero(members.Count);
        var inArrivalOrder = members.OrderBy(m => m.ReceivedAt).ToArray();
        return new DecisionInput(TriggerOf(inArrivalOrder, position), timeframes, risk, lastExecuteAt)
        {
            Position = position,
            Members = inArrivalOrder,
        };
    }

    /// <summary>
    /// The member a burst acts on. On each timeframe the last arrival speaks for it. Of those, the ones that would
    /// move the position (an entry when flat; a close or an entry the other way when in a position) come first, and
    /// of them the lowest timeframe: entries are timed on the fastest chart and the slower ones are its context (a
    /// higher timeframe the other way is an <c>HTF_CONFLICT</c>). With none that would move it, the lowest timeframe.
    /// </summary>
    public static Signal TriggerOf(IReadOnlyList<Signal> membersInArrivalOrder, Position position)
    {
        Signal? lowestMoving = null, lowest = null;
        for (var i = 0; i < membersInArrivalOrder.Count; i++)
        {
            var member = membersInArrivalOrder[i];
            if (SupersededWithin(membersInArrivalOrder, i))
            {
                continue;
            }

            if (lowest is null || member.Timeframe < lowest.Timeframe)
            {
                lowest = member;
            }

            if (WouldMove(member, position) && (lowestMoving is null || member.Timeframe < lowestMoving.Timeframe))
            {
                lowestMoving = member;
            }
        }

        return lowestMoving ?? lowest!;
    }

    private static bool SupersededWithin(IReadOnlyList<Signal> members, int index)
    {
        for (var later = index + 1; later < members.Count; later++)
        {
            if (members[later].Timeframe == members[index].Timeframe)
            {
                return true;
            }
        }

        return false;
    }

    private static bool WouldMove(Signal signal, Position position)
    {
        var direction = signal.Action.Direction();
        return position.IsFlat ? direction != 0 : direction != position.Direction;
    }
}
