using Kyperian.Domain.Decisions;

namespace Kyperian.Domain.Replay;

/// <summary>
/// The decisions recorded for the signals a replay plays, by signal id (every member of a burst finds its burst's), to
/// compare each replayed decision with: kept as outlines, a few dozen bytes a signal.
/// </summary>
public sealed class RecordedOutcomes
{
    private readonly Dictionary<string, DecisionOutline> _bySignal = new(StringComparer.Ordinal);

    public int Count => _bySignal.Count;

    /// <summary>Adds a recorded decision for every signal it answers for; a signal's own decision wins over its burst's.</summary>
    public void Add(Decision recorded)
    {
        var outline = DecisionOutline.Of(recorded);
        foreach (var member in recorded.Members)
        {
            if (member == recorded.SignalId || !_bySignal.ContainsKey(member))
            {
                _bySignal[member] = outline;
            }
        }
    }

    public bool TryGet(string signalId, out DecisionOutline recorded) => _bySignal.TryGetValue(signalId, out recorded!);

    /// <summary>
    /// Compares the replayed decision with the recorded one of each signal it answers for, counting each comparison in
    /// <paramref name="tally"/>; signals never decided live are not compared.
    /// </summary>
    /// <returns>The signals decided otherwise, in the decision's member order.</returns>
    public IReadOnlyList<DecisionDifference> Compare(Decision replayed, ReplayTally tally)
    {
        List<DecisionDifference>? differences = null;
        var outline = DecisionOutline.Of(replayed);
        foreach (var member in replayed.Members)
        {
            if (!_bySignal.TryGetValue(member, out var recorded))
            {
                continue;
            }

            var difference = DecisionDifference.Between(member, recorded, outline);
            tally.Compared(difference);
            if (difference is not null)
            {
                (differences ??= []).Add(difference);
            }
        }

        return differences ?? [];
    }
}
