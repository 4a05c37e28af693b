using Kyperian.Api.Application.Risk;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Application.Monitoring;

/// <summary>
/// One timeframe of a symbol as the engine holds it now: its latest signal's action, direction (+1 buy, −1 sell,
/// 0 close), the confidence the engine weighs it with (the alert's, or the engine's <c>DefaultConfidence</c> when it
/// sent none: <see cref="ConfidenceAssumed"/>) and age, and whether it is live (not older than the engine's
/// <c>StaleBars</c> bars: a stale timeframe no longer counts).
/// </summary>
public sealed record TimeframeView(
    Timeframe Timeframe,
    SignalAction Action,
    int Direction,
    int Confidence,
    bool ConfidenceAssumed,
    DateTimeOffset ObservedAt,
    double AgeSeconds,
    bool Live,
    string SignalId);

/// <summary>
/// A symbol's multi-timeframe picture: every timeframe's latest signal, the model position (flat when none is open), the
/// last decision at a glance and the cooldown.
/// </summary>
public sealed record SymbolView(
    Symbol Symbol,
    IReadOnlyList<TimeframeView> Timeframes,
    Position Position,
    DecisionGlance? LastDecision,
    DateTimeOffset? LastExecuteAt,
    double? CooldownRemainingSeconds);

/// <summary>
/// What the engine would decide for a hypothetical signal now, from the current state, position, risk and settings,
/// with no side effect: the verdict, what it would do to the position, and every reason against it in words.
/// </summary>
public sealed record DryRunOutcome(
    SignalAction Action,
    Timeframe Timeframe,
    int Confidence,
    Verdict Verdict,
    TradeAction Trade,
    double Score,
    double Alignment,
    double PositionSizePct,
    IReadOnlyList<VetoReason> Reasons,
    IReadOnlyList<Explanation> Explanations,
    string Explanation,
    Position PositionAfter);

/// <param name="Symbol">The symbol's picture, as <c>GET /symbols</c> lists it.</param>
/// <param name="SettingsVersion">The engine settings the dry runs used (0: as configured).</param>
/// <param name="Buy">A BUY arriving now.</param>
/// <param name="Sell">A SELL arriving now.</param>
/// <param name="Exit">A CLOSE arriving now.</param>
public sealed record SymbolDetail(SymbolView Symbol, long SettingsVersion, DryRunOutcome Buy, DryRunOutcome Sell, DryRunOutcome Exit);

/// <summary>
/// The console's picture of the market: every symbol's timeframe state with its model position and last decision, and
/// for one symbol a dry run of the engine (a buy, a sell and a close arriving now) on its current state, position and
/// risk, under the settings in force. Reads only.
/// </summary>
public sealed class SymbolOverview(
    IMarketView market,
    IDecisionHistory history,
    IPositionBook positions,
    RiskDesk risk,
    TimeProvider time)
{
    public async Task<IReadOnlyList<SymbolView>> ListAsync(CancellationToken cancellationToken)
    {
        var statesRead = market.ListAsync(cancellationToken);
        var openRead = positions.ListOpenAsync(cancellationToken);
        var riskRead = risk.GetAsync(cancellationToken);
        var states = await statesRead;
        var latest = await history.LatestBySymbolAsync([.. states.Select(s => s.Symbol)], cancellationToken);
        var open = (await openRead).ToDictionary(p => p.Symbol);
        var (_, settings) = await riskRead;
        var now = time.GetUtcNow();
        return [.. states.Select(s => View(s, open.GetValueOrDefault(s.Symbol) ?? Position.FlatOf(s.Symbol), latest.GetValueOrDefault(s.Symbol), now, settings))];
    }

    /// <param name="symbol">The symbol.</param>
    /// <param name="timeframe">The dry runs' timeframe; by default the lowest live one (entries are timed on the fastest chart).</param>
    /// <param name="confidence">The dry runs' confidence; by default that timeframe's latest, as the engine weighs it.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>Null when the symbol has no state.</returns>
    public async Task<SymbolDetail?> GetAsync(Symbol symbol, Timeframe? timeframe, int? confidence, CancellationToken cancellationToken)
    {
        if (await market.GetAsync(symbol, cancellationToken) is not { } state)
        {
            return null;
        }

        var latest = (await history.LatestBySymbolAsync([symbol], cancellationToken)).GetValueOrDefault(symbol);
        var position = await positions.GetAsync(symbol, cancellationToken);
        var (riskToday, settings) = await risk.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        var view = View(state, position, latest, now, settings);

        var trigger = timeframe ?? (view.Timeframes.FirstOrDefault(t => t.Live) ?? view.Timeframes[0]).Timeframe;
        var used = confidence ?? state.Timeframes.FirstOrDefault(t => t.Timeframe == trigger)?.Confidence;
        var engine = new DecisionEngine(settings, time);
        DryRunOutcome DryRun(SignalAction action)
        {
            // As if the signal had arrived now at the symbol's last price: it is its timeframe's latest.
            var signal = new Signal
            {
                SignalId = "sig_dry_run",
                Symbol = symbol,
                Action = action,
                Timeframe = trigger,
                Price = latest?.Price,
                Confidence = used,
                Source = "dry-run",
                ReceivedAt = now,
            };
            var timeframes = state.Timeframes.Where(t => t.Timeframe != trigger).Append(TimeframeSignal.From(signal)).ToList();
            var decision = engine.Decide(new DecisionInput(signal, timeframes, riskToday, state.LastExecuteAt) { Position = position });
            return new DryRunOutcome(
                action,
                trigger,
                decision.Confidence ?? settings.DefaultConfidence,
                decision.Verdict,
                decision.Action,
                decision.Score,
                decision.Alignment,
                decision.PositionSizePct,
                decision.Reasons,
                decision.Explanations,
                DecisionLine.Of(decision),
                decision.PositionAfter ?? position);
        }

        return new SymbolDetail(view, settings.Version, DryRun(SignalAction.Buy), DryRun(SignalAction.Sell), DryRun(SignalAction.Close));
    }

    private static SymbolView View(SymbolState state, Position position, Decision? last, DateTimeOffset now, EngineSettings settings)
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
                    t.Confidence is null,
                    t.ObservedAt,
                    Math.Round(Math.Max(0, age.TotalSeconds), 1),
                    age <= t.Timeframe.Duration * settings.StaleBars,
                    t.SignalId);
            })
            .ToList();

        var cooldown = TimeSpan.FromSeconds(settings.CooldownSeconds);
        double? remaining = state.LastExecuteAt is { } at && now - at < cooldown
            ? Math.Round((cooldown - (now - at)).TotalSeconds, 1)
            : null;
        return new SymbolView(state.Symbol, timeframes, position, last is null ? null : DecisionGlance.From(last), state.LastExecuteAt, remaining);
    }
}
