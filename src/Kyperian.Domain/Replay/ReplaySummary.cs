using Kyperian.Domain.Decisions;

namespace Kyperian.Domain.Replay;

/// <summary>How often one veto reason was given.</summary>
public sealed record ReasonCount(VetoReason Reason, int Decisions);

/// <summary>What a replay decided, in numbers.</summary>
/// <param name="Signals">Signals played.</param>
/// <param name="Decisions">Decisions made (a bar-close burst is one decision for all its members).</param>
/// <param name="Executed">EXECUTE decisions.</param>
/// <param name="Vetoed">VETO decisions.</param>
/// <param name="ByReason">VETO decisions by reason, in the order reasons are recorded; a decision with two reasons counts under each.</param>
/// <param name="ClosedTrades">Model trades closed by an executed Exit or Reverse.</param>
/// <param name="Differences">Signals whose replayed decision differs from the recorded one in verdict, action or size.</param>
/// <param name="Compared">Signals with a recorded decision to compare with.</param>
public sealed record ReplaySummary(
    int Signals,
    int Decisions,
    int Executed,
    int Vetoed,
    IReadOnlyList<ReasonCount> ByReason,
    int ClosedTrades,
    int Differences,
    int Compared);

/// <summary>Counts a replay's decisions one at a time, as they are made.</summary>
public sealed class ReplayTally
{
    private readonly int[] _byReason = new int[Enum.GetValues<VetoReason>().Length];
    private int _decisions;
    private int _executed;
    private int _closedTrades;
    private int _differences;
    private int _compared;

    public void Add(Decision decision)
    {
        _decisions++;
        if (decision.Verdict == Verdict.Execute)
        {
            _executed++;
            if (decision.ClosedTrade is not null)
            {
                _closedTrades++;
            }

            return;
        }

        foreach (var reason in decision.Reasons)
        {
            _byReason[(int)reason]++;
        }
    }

    /// <summary>Counts one comparison with a recorded decision: <paramref name="difference"/> is null when they agree.</summary>
    public void Compared(DecisionDifference? difference)
    {
        _compared++;
        if (difference is not null)
        {
            _differences++;
        }
    }

    public ReplaySummary Summary(int signals)
    {
        var byReason = new List<ReasonCount>();
        for (var i = 0; i < _byReason.Length; i++)
        {
            if (_byReason[i] > 0)
            {
                byReason.Add(new ReasonCount((VetoReason)i, _byReason[i]));
            }
        }

        return new ReplaySummary(signals, _decisions, _executed, _decisions - _executed, byReason, _closedTrades, _differences, _compared);
    }
}

/// <summary>The parts of a decision a replay compares: what it said to do, and why not.</summary>
public sealed record DecisionOutline(string DecisionId, Verdict Verdict, TradeAction Action, double PositionSizePct, IReadOnlyList<VetoReason> Reasons)
{
    public static DecisionOutline Of(Decision decision) =>
        new(decision.DecisionId, decision.Verdict, decision.Action, decision.PositionSizePct, decision.Reasons);

    /// <summary>The same verdict, action and size: the reasons of two vetoes may differ without the outcome changing.</summary>
    public bool SameOutcome(DecisionOutline other) =>
        Verdict == other.Verdict && Action == other.Action && PositionSizePct.Equals(other.PositionSizePct);
}

/// <summary>A signal the replay decided otherwise than the engine did when it arrived.</summary>
public sealed record DecisionDifference(string SignalId, DecisionOutline Recorded, DecisionOutline Replayed)
{
    /// <returns>The difference, or null when both decisions for <paramref name="signalId"/> have the same outcome.</returns>
    public static DecisionDifference? Between(string signalId, DecisionOutline recorded, DecisionOutline replayed) =>
        recorded.SameOutcome(replayed) ? null : new DecisionDifference(signalId, recorded, replayed);
}
