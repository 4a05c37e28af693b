using Kyperian.Domain.Decisions;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Application.Monitoring;

/// <summary>
/// A decision in one line, for lists: what it did to the position, or each reason it was vetoed in words
/// (<see cref="Explanation"/>, from the engine's <see cref="Explanations"/>), with the price, the position it left and
/// the settings version it was made with.
/// </summary>
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
    IReadOnlyList<Explanation> Explanations,
    decimal? Price,
    Position? PositionAfter,
    int Members,
    long SettingsVersion,
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
        DecisionLine.Of(decision),
        decision.Explanations,
        decision.Price,
        decision.PositionAfter,
        decision.Members.Count,
        decision.SettingsVersion,
        decision.DecidedAt,
        decision.LatencyMs);
}

/// <summary>
/// A symbol's last decision as the matrix shows it beside the symbol: what it was and its line in words. Its whole
/// summary (explanations one by one, the position it left) is in <c>GET /decisions</c>; the symbol's position is beside it.
/// </summary>
public sealed record DecisionGlance(
    string DecisionId,
    Timeframe Timeframe,
    TradeAction Action,
    Verdict Verdict,
    double Score,
    IReadOnlyList<VetoReason> Reasons,
    string Explanation,
    decimal? Price,
    DateTimeOffset DecidedAt)
{
    public static DecisionGlance From(Decision decision) => new(
        decision.DecisionId,
        decision.Timeframe,
        decision.Action,
        decision.Verdict,
        decision.Score,
        decision.Reasons,
        DecisionLine.Of(decision),
        decision.Price,
        decision.DecidedAt);
}
