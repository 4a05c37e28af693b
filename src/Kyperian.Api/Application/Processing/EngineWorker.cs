using Kyperian.Domain.Ports;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Processing;

/// <summary>Reads the signal feed and decides each signal; a failed one goes back for redelivery.</summary>
public sealed partial class EngineWorker(
    ISignalFeed feed,
    DecisionProcessor processor,
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deciding signal {SignalId} failed on attempt {Attempt}; it will be redelivered")]
    private static partial void LogFailed(ILogger logger, Exception exception, string signalId, int attempt);
}
