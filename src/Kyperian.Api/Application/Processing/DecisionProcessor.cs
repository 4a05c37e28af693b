using System.Collections.Concurrent;
using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Application.Observability;
using Kyperian.Api.Application.Risk;
using Kyperian.Api.Application.Settings;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Application.Processing;

/// <summary>
/// Decides signals. A signal sent at a bar close waits, up to <c>SettleMilliseconds</c>, for the symbol's other
/// timeframes closing at that moment, and the burst is decided once, together (<see cref="BarCloseBuffer"/>); any other
/// signal is decided at once. Deciding records every member in the timeframe state in arrival order, weighs the
/// burst against the state, the model position and the risk ledger, stores one decision that every member's id finds
/// (with the deliveries of its notification), then moves the position. Safe to run twice for one signal (redelivery):
/// the stored decision is found, and its deliveries and its position move, if a crash cut them short, are completed.
/// </summary>
public sealed partial class DecisionProcessor(
    ISignalStore signals,
    IDecisionStore decisions,
    IMarketState market,
    IRiskLedger risk,
    IPositionBook positions,
    IEventBus bus,
    DecisionNotifications notifications,
    EngineSettingsSource settings,
    RiskDesk riskDesk,
    BarCloseBuffer bursts,
    TimeProvider time,
    KyperianMetrics metrics,
    ILogger<DecisionProcessor> logger)
{
    // One lane per symbol hash: decisions of one symbol are made one at a time, in the order they were asked for.
    private readonly SemaphoreSlim[] _lanes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    // Symbols whose last decision's position move is known to be made, since this process started. A move follows its
    // decision in the same delivery, so a failure between them (here or in another engine that crashed) fails the
    // delivery and its redelivery makes the move. Only a crash of an engine whose deliveries are not redelivered (the
    // embedded bus) leaves a move behind for good: each symbol is checked once per start, and again after a failure.
    private readonly ConcurrentDictionary<Symbol, bool> _movesChecked = new();

    /// <returns>The decision that answers for the signal: its own, its burst's, or the one stored before.</returns>
    public async Task<Decision> ProcessAsync(Signal signal, CancellationToken cancellationToken)
    {
        if (await decisions.GetAsync(SignalIdentity.DecisionIdFor(signal.SignalId), cancellationToken) is { } earlier)
        {
            // A crash may have come between storing it and writing its notifications or moving the position: both are
            // completed, once.
            await notifications.EnsureNotifiedAsync(earlier, signal, cancellationToken);
            await MovePositionAsync(earlier, cancellationToken);
            return earlier;
        }

        // The webhook answers 202 when the bus took a signal the store did not: store it now.
        if (await signals.GetAsync(signal.SignalId, cancellationToken) is null
            && await signals.TryAddAsync(signal, PublishState.Published, cancellationToken))
        {
            LogStoredLate(logger, signal.SignalId);
        }

        var current = await settings.CurrentAsync(cancellationToken);
        var plan = current.SettleMilliseconds <= 0
            ? new BurstPlan(null, [])
            : BurstPlan.For(signal, await market.ReadAsync(signal.Symbol, cancellationToken), current.BarCloseTolerance);

        // A burst is decided once for all its members, so no one member's cancellation stops it.
        return await bursts.SubmitAsync(signal, plan, current.Settle, members => DecideInLaneAsync(members, CancellationToken.None), cancellationToken);
    }

    private async Task<Decision> DecideInLaneAsync(IReadOnlyList<Signal> members, CancellationToken cancellationToken)
    {
        var lane = _lanes[(members[0].Symbol.GetHashCode() & int.MaxValue) % _lanes.Length];
        await lane.WaitAsync(cancellationToken);
        try
        {
            return await DecideAsync(members, cancellationToken);
        }
        catch
        {
            _movesChecked.TryRemove(members[0].Symbol, out _);
            throw;
        }
        finally
        {
            lane.Release();
        }
    }

    private async Task<Decision> DecideAsync(IReadOnlyList<Signal> members, CancellationToken cancellationToken)
    {
        var symbol = members[0].Symbol;
        IReadOnlyList<TimeframeSignal> timeframes = [];
        foreach (var member in members.OrderBy(m => m.ReceivedAt))
        {
            timeframes = await market.RecordAsync(member, cancellationToken);
        }

        var current = await settings.CurrentAsync(cancellationToken);

        // The ledger as stored (an earlier day than any keeps it as it is): the step rolls it to today.
        var stored = await risk.GetAsync(DateOnly.MinValue, cancellationToken);
        var lastExecute = await market.GetLastExecuteAsync(symbol, cancellationToken);
        var position = await CompleteInterruptedMoveAsync(symbol, await positions.GetAsync(symbol, cancellationToken), cancellationToken);
        var step = EngineStep.Take(current, time, members, timeframes, stored, lastExecute, position);
        await riskDesk.RecordAsync(step.DayEvents, cancellationToken);
        var decision = step.Decision;

        // With the deliveries of its notification, in the same step: a crash before sending loses none. A burst is one
        // decision, so it is told once.
        if (!await notifications.TryAddAsync(decision, members, cancellationToken))
        {
            return await decisions.GetAsync(decision.DecisionId, cancellationToken) ?? decision;
        }

        if (step.Executed)
        {
            await MovePositionAsync(decision, cancellationToken);
            await market.SetLastExecuteAsync(symbol, decision.DecidedAt, step.Cooldown ?? TimeSpan.Zero, cancellationToken);
            if (step.CountsAsEntry)
            {
                await risk.RecordEntryAsync(step.Day, cancellationToken);
            }

            if (step.ModelPnlPct is { } tradePnl)
            {
                var before = await risk.GetAsync(step.Day, cancellationToken);
                var after = await risk.RecordPnlAsync(tradePnl, step.Day, cancellationToken);
                await riskDesk.RecordAsync(RiskEvents.Between(before, after, current.RiskLimits, decision.DecidedAt), cancellationToken);
            }
        }

        metrics.DecisionMade(decision);
        LogDecided(logger, decision.DecisionId, decision.Symbol.Value, decision.Members.Count, decision.Verdict, decision.Action, decision.PositionSizePct);
        await PublishDecisionAsync(decision, cancellationToken);
        return decision;
    }

    /// <summary>
    /// The position follows its decision by a moment: a crash between the two leaves the decision stored (so nothing
    /// redelivers it) and the position behind. The symbol's first decision after the restart completes that move before it
    /// decides.
    /// </summary>
    private async Task<Position> CompleteInterruptedMoveAsync(Symbol symbol, Position position, CancellationToken cancellationToken)
    {
        if (!_movesChecked.TryAdd(symbol, true)
            || await decisions.ListBySymbolAsync(symbol, 1, cancellationToken) is not [{ PositionChange: { } move } last]
            || move.AppliedTo(position) != PositionMoveOutcome.Applied)
        {
            return position;
        }

        LogMoveCompleted(logger, last.DecisionId, symbol.Value);
        await positions.ApplyAsync(move, cancellationToken);
        return await positions.GetAsync(symbol, cancellationToken);
    }

    /// <summary>Moves the model position as an executed decision says; a move already made is not made twice.</summary>
    private async Task MovePositionAsync(Decision decision, CancellationToken cancellationToken)
    {
        if (decision.PositionChange is not { } change)
        {
            return;
        }

        if (await positions.ApplyAsync(change, cancellationToken) == PositionMoveOutcome.Conflict)
        {
            // Another engine moved the position after this decision read it: the book keeps the newer move.
            LogPositionConflict(logger, decision.DecisionId, decision.Symbol.Value);
        }
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Decision {DecisionId} {Symbol} ({Members} signals): {Verdict} {Action} size {PositionSizePct}%")]
    private static partial void LogDecided(ILogger logger, string decisionId, string symbol, int members, Verdict verdict, TradeAction action, double positionSizePct);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Decision {DecisionId} is stored but could not be announced on the bus")]
    private static partial void LogAnnounceFailed(ILogger logger, Exception exception, string decisionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Decision {DecisionId} had not moved the {Symbol} position (interrupted); moved it now")]
    private static partial void LogMoveCompleted(ILogger logger, string decisionId, string symbol);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Decision {DecisionId} executed but the {Symbol} position had moved since it was read; the book keeps the later move")]
    private static partial void LogPositionConflict(ILogger logger, string decisionId, string symbol);
}
