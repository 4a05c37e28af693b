using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Application.Observability;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Processing;

/// <summary>
/// Decides one signal: records it in the symbol's timeframe state, weighs it, stores the decision once.
/// Safe to run twice for one signal (redelivery): the decision store's conditional add keeps the first.
/// </summary>
public sealed partial class DecisionProcessor(
    ISignalStore signals,
    IDecisionStore decisions,
    IMarketState market,
    IRiskLedger risk,
    IEventBus bus,
    DecisionNotifications notifications,
    IOptionsMonitor<EngineSettings> settings,
    TimeProvider time,
    KyperianMetrics metrics,
    ILogger<DecisionProcessor> logger)
{
    // One lane per symbol hash: signals of one symbol are decided in order, others in parallel.
    private readonly SemaphoreSlim[] _lanes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];
    private DecisionEngine? _engine;

    /// <returns>The stored decision, or the one stored before for this signal.</returns>
    public async Task<Decision> ProcessAsync(Signal signal, CancellationToken cancellationToken)
    {
        var decisionId = SignalIdentity.DecisionIdFor(signal.SignalId);
        if (await decisions.GetAsync(decisionId, cancellationToken) is { } earlier)
        {
            // A crash may have come between storing it and writing its notifications: they are written again, once.
            await notifications.EnsureNotifiedAsync(earlier, signal, cancellationToken);
            return earlier;
        }

        // The webhook answers 202 when the bus took a signal the store did not: store it now.
        if (await signals.GetAsync(signal.SignalId, cancellationToken) is null
            && await signals.TryAddAsync(signal, PublishState.Published, cancellationToken))
        {
            LogStoredLate(logger, signal.SignalId);
        }

        var lane = _lanes[(signal.Symbol.GetHashCode() & int.MaxValue) % _lanes.Length];
        await lane.WaitAsync(cancellationToken);
        try
        {
            return await DecideAsync(signal, decisionId, cancellationToken);
        }
        finally
        {
            lane.Release();
        }
    }

    private async Task<Decision> DecideAsync(Signal signal, string decisionId, CancellationToken cancellationToken)
    {
        var timeframes = await market.RecordAsync(signal, cancellationToken);
        var lastExecute = await market.GetLastExecuteAsync(signal.Symbol, cancellationToken);
        var riskState = await risk.GetAsync(RiskState.DayOf(time.GetUtcNow()), cancellationToken);

        var engine = CurrentEngine();
        var decision = engine.Decide(new DecisionInput(signal, timeframes, riskState, lastExecute));
        // With the deliveries of its notification, in the same step: a crash before sending loses none.
        if (!await notifications.TryAddAsync(decision, signal, cancellationToken))
        {
            return await decisions.GetAsync(decisionId, cancellationToken) ?? decision;
        }

        if (decision.Verdict == Verdict.Execute)
        {
            await market.SetLastExecuteAsync(
                signal.Symbol, decision.DecidedAt, TimeSpan.FromSeconds(engine.Settings.CooldownSeconds), cancellationToken);
            if (decision.IsEntry)
            {
                await risk.RecordEntryAsync(RiskState.DayOf(decision.DecidedAt), cancellationToken);
            }
        }

        metrics.DecisionMade(decision);
        LogDecided(logger, decision.DecisionId, decision.Symbol.Value, decision.Verdict, decision.Action, decision.PositionSizePct);
        await PublishDecisionAsync(decision, cancellationToken);
        return decision;
    }

    /// <summary>The engine with the settings in force now: a change applies to the next decision, without a restart.</summary>
    private DecisionEngine CurrentEngine()
    {
        var current = settings.CurrentValue;
        var engine = _engine;
        if (engine is null || !ReferenceEquals(engine.Settings, current))
        {
            engine = new DecisionEngine(current, time);
            _engine = engine;
        }

        return engine;
    }

    private async Task PublishDecisionAsync(Decision decision, CancellationToken cancellationToken)
    {
        try
        {
            await bus.PublishDecisionAsync(decision, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The decision is stored, which is what counts; the announcement is best effort.
            LogAnnounceFailed(logger, ex, decision.DecisionId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signal {SignalId} arrived on the bus but not in the store; stored it")]
    private static partial void LogStoredLate(ILogger logger, string signalId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Decision {DecisionId} {Symbol}: {Verdict} {Action} size {PositionSizePct}%")]
    private static partial void LogDecided(ILogger logger, string decisionId, string symbol, Verdict verdict, TradeAction action, double positionSizePct);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Decision {DecisionId} is stored but could not be announced on the bus")]
    private static partial void LogAnnounceFailed(ILogger logger, Exception exception, string decisionId);
}
