using System.Text.Json.Serialization;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Monitoring;

/// <summary>
/// One timeframe of a symbol as the engine holds it now: its latest signal's action, direction (+1 buy, −1 sell,
/// 0 close), confidence and age, and whether it is live (not older than the engine's <c>StaleBars</c> bars: a stale
/// timeframe no longer counts).
/// </summary>
public sealed record TimeframeView(
    Timeframe Timeframe,
    [property: JsonConverter(typeof(JsonStringEnumConverter<SignalAction>))] SignalAction Action,
    int Direction,
    int Confidence,
    DateTimeOffset ObservedAt,
    double AgeSeconds,
    bool Live,
    string SignalId);

/// <summary>A symbol's multi-timeframe picture: every timeframe's latest signal, the last decision and the cooldown.</summary>
public sealed record SymbolView(
    Symbol Symbol,
    IReadOnlyList<TimeframeView> Timeframes,
    DecisionSummary? LastDecision,
    DateTimeOffset? LastExecuteAt,
    double? CooldownRemainingSeconds);

/// <summary>What the engine would decide for a hypothetical signal now, from the current state, with no side effect.</summary>
public sealed record DryRunOutcome(
    [property: JsonConverter(typeof(JsonStringEnumConverter<SignalAction>))] SignalAction Action,
    Timeframe Timeframe,
    int Confidence,
    Verdict Verdict,
    TradeAction Trade,
    double Score,
    double Alignment,
    double PositionSizePct,
    IReadOnlyList<VetoReason> Reasons,
    string Explanation);

public sealed record SymbolDetail(SymbolView Symbol, DryRunOutcome Buy, DryRunOutcome Sell);

/// <summary>
/// The console's picture of the market: every symbol's timeframe state with its last decision, and for one symbol a dry
/// run of the engine (a buy and a sell arriving now) on its current state. Reads only.
/// </summary>
public sealed class SymbolOverview(
    IMarketView market,
    IDecisionHistory history,
    IRiskLedger risk,
    IOptionsMonitor<EngineSettings> settings,
    TimeProvider time)
{
    /// <summary>The confidence of a dry run when none is given and the timeframe has no signal to take it from.</summary>
    public const int DefaultDryRunConfidence = 70;

    public async Task<IReadOnlyList<SymbolView>> ListAsync(CancellationToken cancellationToken)
    {
        var states = await market.ListAsync(cancellationToken);
        var latest = await history.LatestBySymbolAsync([.. states.Select(s => s.Symbol)], cancellationToken);
        var now = time.GetUtcNow();
        var current = settings.CurrentValue;
        return [.. states.Select(s => View(s, latest.GetValueOrDefault(s.Symbol), now, current))];
    }

    /// <returns>Null when the symbol has no state.</returns>
    public async Task<SymbolDetail?> GetAsync(Symbol symbol, Timeframe? timeframe, int? confidence, CancellationToken cancellationToken)
    {
        if (await market.GetAsync(symbol, cancellationToken) is not { } state)
        {
            return null;
        }

        var latest = await history.LatestBySymbolAsync([symbol], cancellationToken);
        var riskState = await risk.GetAsync(RiskState.DayOf(time.GetUtcNow()), cancellationToken);
        var now = time.GetUtcNow();
        var current = settings.CurrentValue;
        var view = View(state, latest.GetValueOrDefault(symbol), now, current);

        var engine = new DecisionEngine(current, time);
        var trigger = timeframe ?? TriggerTimeframe(view);
        var used = confidence ?? view.Timeframes.FirstOrDefault(t => t.Timeframe == trigger)?.Confidence ?? DefaultDryRunConfidence;
        return new SymbolDetail(
            view,
            DryRun(engine, state, riskState, SignalAction.Buy, trigger, used, now),
            DryRun(engine, state, riskState, SignalAction.Sell, trigger, used, now));
    }

    /// <summary>Entries are timed on the fastest chart: the lowest live timeframe, else the lowest of all.</summary>
    private static Timeframe TriggerTimeframe(SymbolView view) =>
        (view.Timeframes.FirstOrDefault(t => t.Live) ?? view.Timeframes[0]).Timeframe;

    private static DryRunOutcome DryRun(
        DecisionEngine engine, SymbolState state, RiskState riskState, SignalAction action, Timeframe timeframe, int confidence, DateTimeOffset now)
    {
        var signal = new Signal
        {
            SignalId = "sig_dry_run",
            Symbol = state.Symbol,
            Action = action,
            Timeframe = timeframe,
            Price = 0,
            Confidence = confidence,
            Source = "dry-run",
            ReceivedAt = now,
        };

        // As if the signal had arrived: it is its timeframe's latest.
        var timeframes = state.Timeframes.Where(t => t.Timeframe != timeframe).Append(TimeframeSignal.From(signal)).ToList();
        var decision = engine.Decide(new DecisionInput(signal, timeframes, riskState, state.LastExecuteAt));
        return new DryRunOutcome(
            action,
            timeframe,
            confidence,
            decision.Verdict,
            decision.Action,
            decision.Score,
            decision.Alignment,
            decision.PositionSizePct,
            decision.Reasons,
            DecisionSummary.Explain(decision));
    }

    private static SymbolView View(SymbolState state, Decision? last, DateTimeOffset now, EngineSettings settings)
    {
        var timeframes = state.Timeframes
            .OrderBy(t => t.Timeframe)
            .Select(t =>
            {
                var age = now - t.ObservedAt;
                return new TimeframeView(
                    t.Timeframe,
                    t.Action,
                    t.Action.Direction(),
                    t.Confidence ?? settings.DefaultConfidence,
                    t.ObservedAt,
                    Math.Round(Math.Max(0, age.TotalSeconds), 1),
                    age <= t.Timeframe.Duration * settings.StaleBars,
                    t.SignalId);
            })
            .ToList();

        double? cooldown = state.LastExecuteAt is { } at && now - at < TimeSpan.FromSeconds(settings.CooldownSeconds)
            ? Math.Round((TimeSpan.FromSeconds(settings.CooldownSeconds) - (now - at)).TotalSeconds, 1)
            : null;
        return new SymbolView(state.Symbol, timeframes, last is null ? null : DecisionSummary.From(last), state.LastExecuteAt, cooldown);
    }
}
