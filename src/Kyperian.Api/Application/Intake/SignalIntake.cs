using Kyperian.Api.Application.Observability;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Intake;

public enum IntakeStatus
{
    Accepted,
    Duplicate,

    /// <summary>Neither the store nor the bus took it: TradingView's resend is welcome.</summary>
    Unavailable,
}

/// <summary>How the intake ended; <c>Signal</c> is the signal as stored (with the last seen price filled in when the alert had none).</summary>
public readonly record struct IntakeResult(IntakeStatus Status, string SignalId, Signal? Signal = null);

/// <summary>
/// Takes a valid signal in: recognise a replay, store it, publish it. A signal is accepted once it is durable
/// in the store or on the bus; when neither takes it nothing is left behind and the answer is 503.
/// </summary>
public sealed partial class SignalIntake(
    IDedupeStore dedupe,
    ISignalStore store,
    IEventBus bus,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    KyperianMetrics metrics,
    ILogger<SignalIntake> logger)
{
    public Task<IntakeResult> AcceptAsync(Signal signal, SignalIdentity identity, CancellationToken cancellationToken) =>
        AcceptAsync(signal, identity, rawAlert: null, cancellationToken);

    /// <summary>Takes a signal in with the alert's body as sent (<c>rawAlert</c>): stored with it until delivery, never logged.</summary>
    public async Task<IntakeResult> AcceptAsync(Signal signal, SignalIdentity identity, string? rawAlert, CancellationToken cancellationToken)
    {
        var window = options.Value.DedupeWindow;
        var replayOf = await FindReplayAsync(identity, window, cancellationToken);
        if (replayOf is not null)
        {
            metrics.SignalDuplicate();
            return new IntakeResult(IntakeStatus.Duplicate, replayOf);
        }

        signal = await WithLastSeenPriceAsync(signal, cancellationToken);
        bool stored;
        try
        {
            stored = await store.TryAddAsync(signal, PublishState.Pending, rawAlert, cancellationToken);
            if (!stored)
            {
                // The store's conditional add is the last word on replays (the claim may have expired or been lost).
                metrics.SignalDuplicate();
                return new IntakeResult(IntakeStatus.Duplicate, signal.SignalId);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStoreFailed(logger, ex, signal.SignalId);
            stored = false;
        }

        var published = false;
        try
        {
            await bus.PublishSignalAsync(signal, cancellationToken);
            published = true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogBusFailed(logger, ex, signal.SignalId, stored);
        }

        if (!stored && !published)
        {
            await ReleaseClaimAsync(signal.SignalId);
            metrics.SignalUnavailable();
            return new IntakeResult(IntakeStatus.Unavailable, signal.SignalId);
        }

        if (stored && published)
        {
            await MarkPublishedAsync(signal.SignalId);
        }

        metrics.SignalAccepted(signal);
        return new IntakeResult(IntakeStatus.Accepted, signal.SignalId, signal);
    }

    /// <summary>
    /// Many bridges execute at market and never send a price: such a signal takes the last price seen for its symbol,
    /// recorded as <see cref="PriceSource.LastSeen"/>, else it stays unpriced. Its id was computed before, from the
    /// alert as sent.
    /// </summary>
    private async Task<Signal> WithLastSeenPriceAsync(Signal signal, CancellationToken cancellationToken)
    {
        if (signal.Price is not null)
        {
            return signal;
        }

        try
        {
            foreach (var earlier in await store.ListBySymbolAsync(signal.Symbol, LastSeenLookback, cancellationToken))
            {
                if (earlier.Price is { } price && earlier.SignalId != signal.SignalId)
                {
                    return signal with { Price = price, PriceSource = PriceSource.LastSeen };
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An unpriced signal is still a signal; the store's own failure is handled when it is written.
            LogLastSeenFailed(logger, ex, signal.SignalId);
        }

        return signal with { PriceSource = PriceSource.None };
    }

    /// <returns>The id of the earlier signal this one replays, or null when it is new (and now claimed).</returns>
    private async Task<string?> FindReplayAsync(SignalIdentity identity, TimeSpan window, CancellationToken cancellationToken)
    {
        try
        {
            if (identity.PreviousWindowId is { } previous && await dedupe.IsClaimedAsync(previous, cancellationToken))
            {
                return previous;
            }

            return await dedupe.TryClaimAsync(identity.Id, window, cancellationToken) ? null : identity.Id;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Without the fast dedupe, the store's conditional add still catches a replay of this window.
            LogDedupeFailed(logger, ex);
            return await FindStoredReplayAsync(identity, window, cancellationToken);
        }
    }

    private async Task<string?> FindStoredReplayAsync(SignalIdentity identity, TimeSpan window, CancellationToken cancellationToken)
    {
        if (identity.PreviousWindowId is not { } previous)
        {
            return null;
        }

        try
        {
            var earlier = await store.GetAsync(previous, cancellationToken);
            return earlier is not null && time.GetUtcNow() - earlier.ReceivedAt < window ? previous : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStoreFailed(logger, ex, previous);
            return null;
        }
    }

    private async Task ReleaseClaimAsync(string signalId)
    {
        try
        {
            await dedupe.ReleaseAsync(signalId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The claim expires with its window; a resend before then is answered "duplicate" wrongly, so say so.
            LogReleaseFailed(logger, ex, signalId);
        }
    }

    private async Task MarkPublishedAsync(string signalId)
    {
        try
        {
            await store.MarkPublishedAsync(signalId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Left Pending, the sweeper republishes it and the engine's idempotency absorbs the repeat.
            LogMarkFailed(logger, ex, signalId);
        }
    }

    /// <summary>How many of the symbol's latest signals are searched for a price.</summary>
    private const int LastSeenLookback = 20;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking up the last seen price for signal {SignalId} failed; it stays unpriced")]
    private static partial void LogLastSeenFailed(ILogger logger, Exception exception, string signalId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing signal {SignalId} failed")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string signalId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing signal {SignalId} failed (stored: {Stored})")]
    private static partial void LogBusFailed(ILogger logger, Exception exception, string signalId, bool stored);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dedupe store unavailable; falling back to the signal store")]
    private static partial void LogDedupeFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the dedupe claim of {SignalId} failed")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string signalId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marking signal {SignalId} published failed; the sweeper will republish it")]
    private static partial void LogMarkFailed(ILogger logger, Exception exception, string signalId);
}
