namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// At start, makes the signals the previous process had published on its in-process bus but not decided Pending
/// again: that channel died with the process, so the sweeper republishes them and each is decided after a restart.
/// </summary>
public sealed partial class InProcessBusRecovery(SqliteSignalStore signals, ILogger<InProcessBusRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var requeued = await signals.RequeuePublishedAsync();
        if (requeued > 0)
        {
            LogRequeued(logger, requeued);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} signals accepted before the last stop and not decided are queued again")]
    private static partial void LogRequeued(ILogger logger, int count);
}
