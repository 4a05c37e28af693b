using Kyperian.Domain.Ports;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Processing;

/// <summary>
/// Republishes signals the store holds as Pending: the webhook stored them but the bus did not take them.
/// Republishing is safe because deciding is idempotent.
/// </summary>
public sealed partial class PendingSignalSweeper(
    ISignalStore signals,
    IEventBus bus,
    TimeProvider time,
    IOptions<WorkerOptions> options,
    ILogger<PendingSignalSweeper> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.SweepIntervalSeconds)), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <returns>How many signals were republished.</returns>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromSeconds(options.Value.RepublishAfterSeconds);
        var pending = await signals.ListPendingAsync(cutoff, BatchSize, cancellationToken);
        var republished = 0;
        foreach (var signal in pending)
        {
            try
            {
                await bus.PublishSignalAsync(signal, cancellationToken);
                await signals.MarkPublishedAsync(signal.SignalId, cancellationToken);
                republished++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One signal the bus refuses must not hold back the ones after it: it stays Pending for the next sweep.
                LogRepublishFailed(logger, ex, signal.SignalId);
            }
        }

        if (republished > 0)
        {
            LogRepublished(logger, republished);
        }

        return republished;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Republished {Count} pending signals")]
    private static partial void LogRepublished(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Republishing pending signal {SignalId} failed; the next sweep retries it")]
    private static partial void LogRepublishFailed(ILogger logger, Exception exception, string signalId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping pending signals failed; the next sweep retries")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
