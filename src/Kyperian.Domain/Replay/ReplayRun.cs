using Kyperian.Domain.Decisions;
using Kyperian.Domain.Performance;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Replay;

/// <summary>What a replay found: its numbers, the signals it decided otherwise than recorded, and its track record.</summary>
public sealed record ReplayResult(ReplaySummary Summary, IReadOnlyList<DecisionDifference> Differences, PerformanceReport Performance);

/// <summary>
/// One what-if replay from start to end: the signals played through <see cref="EngineReplay"/>, each decision counted,
/// compared with the one recorded for its signals, and added to the performance report, as it is made; so the
/// decisions themselves can be streamed away and only the differences are kept.
/// </summary>
public sealed class ReplayRun(EngineSettings settings, RecordedOutcomes? recorded = null)
{
    private readonly EngineReplay _replay = new(settings);
    private readonly ReplayTally _tally = new();
    private readonly PerformanceTally _performance = new();
    private readonly RecordedOutcomes _recorded = recorded ?? new RecordedOutcomes();
    private readonly List<DecisionDifference> _differences = [];
    private readonly List<Decision> _made = new(4);

    public EngineSettings Settings => _replay.Settings;

    /// <summary>Plays the next signal (in arrival order); <paramref name="decided"/> receives the decisions it led to.</summary>
    public void Play(Signal signal, ICollection<Decision> decided)
    {
        _replay.Play(signal, _made);
        Take(decided);
    }

    /// <summary>Decides the bursts still open: the end of the signals.</summary>
    public void Finish(ICollection<Decision> decided)
    {
        _replay.Finish(_made);
        Take(decided);
    }

    /// <summary>The result, once <see cref="Finish"/> has run.</summary>
    public ReplayResult Result() => new(_tally.Summary(_replay.SignalsPlayed), _differences, _performance.Report());

    private void Take(ICollection<Decision> decided)
    {
        foreach (var decision in _made)
        {
            _tally.Add(decision);
            _performance.Add(decision);
            _differences.AddRange(_recorded.Compare(decision, _tally));
            decided.Add(decision);
        }

        _made.Clear();
    }
}
