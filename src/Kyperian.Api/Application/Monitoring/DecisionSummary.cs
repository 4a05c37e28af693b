using Kyperian.Domain.Decisions;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Application.Monitoring;

/// <summary>A decision in one line, for lists: what it did, and why not when it was vetoed.</summary>
public sealed record DecisionSummary(
    string DecisionId,
    string SignalId,
    Symbol Symbol,
    Timeframe Timeframe,
    TradeAction Action,
    Verdict Verdict,
    double Score,
    double PositionSizePct,
    IReadOnlyList<VetoReason> Reasons,
    string Explanation,
    DateTimeOffset DecidedAt,
    double LatencyMs)
{
    public static DecisionSummary From(Decision decision) => new(
        decision.DecisionId,
        decision.SignalId,
        decision.Symbol,
        decision.Timeframe,
        decision.Action,
        decision.Verdict,
        decision.Score,
        decision.PositionSizePct,
        decision.Reasons,
        Explain(decision),
        decision.DecidedAt,
        decision.LatencyMs);

    /// <summary>The decision in words: the reasons it was vetoed, or what it executed and how strongly the timeframes agreed.</summary>
    public static string Explain(Decision decision) => decision.Verdict == Verdict.Veto
        ? "Vetoed: " + string.Join(", ", decision.Reasons.Select(r => r.Code()))
        : decision.Action == TradeAction.Exit
            ? "Executed Exit: exits always execute"
            : FormattableString.Invariant($"Executed {decision.Action}: score {decision.Score:0.00}, {Math.Round(decision.Alignment * 100)} % of live weight agrees, size {decision.PositionSizePct:0.##} %");
}
