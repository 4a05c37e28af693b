using Kyperian.Api.Application.Notifications;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Processing;

/// <summary>Reads the signal feed and decides each signal; a failed one goes back for redelivery.</summary>
public sealed partial class EngineWorker(
    ISignalFeed feed,
    DecisionProcessor processor,
    NotificationPublisher notifications,
    SecretRedactor redactor,
    TimeProvider time,
    IOptions<WorkerOptions> options,
    ILogger<EngineWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, options.Value.Concurrency),
            CancellationToken = stoppingToken,
        };

        try
        {
            await Parallel.ForEachAsync(feed.ReadAllAsync(stoppingToken), parallel, HandleAsync);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async ValueTask HandleAsync(SignalDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            await processor.ProcessAsync(delivery.Signal, cancellationToken);
            await delivery.CompleteAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, ex, delivery.Signal.SignalId, delivery.Attempt);
            if (delivery.Attempt == options.Value.DeadLetterAfterAttempts)
            {
                await RaiseGaveUpAsync(delivery, ex, cancellationToken);
            }

            try
            {
                await delivery.AbandonAsync(cancellationToken);
            }
            catch (Exception abandonFailure) when (abandonFailure is not OperationCanceledException)
            {
                // The bus redelivers on its own (visibility timeout, sweeper); nothing is lost.
                LogFailed(logger, abandonFailure, delivery.Signal.SignalId, delivery.Attempt);
            }
        }
    }

    /// <summary><c>system.deadletter</c> for a signal that failed as often as the bus allows; once per signal (its event id).</summary>
    private async Task RaiseGaveUpAsync(SignalDelivery delivery, Exception failure, CancellationToken cancellationToken)
    {
        if (!notifications.AnyTakes(NotificationEventType.SystemDeadLetter))
        {
            return;
        }

        try
        {
            var error = redactor.Redact($"{failure.GetType().Name}: {failure.Message}");
            await notifications.PublishAsync(
                NotificationEvents.ForDeadSignal(delivery.Signal, delivery.Attempt, error, time.GetUtcNow()), rawAlert: null, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGaveUpNotRaised(logger, ex, delivery.Signal.SignalId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signal {SignalId} gave up, and system.deadletter could not be raised")]
    private static partial void LogGaveUpNotRaised(ILogger logger, Exception exception, string signalId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deciding signal {SignalId} failed on attempt {Attempt}; it will be redelivered")]
    private static partial void LogFailed(ILogger logger, Exception exception, string signalId, int attempt);
}
