using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Notifications;

/// <summary>When the engine last saw an alert: told by whatever decides signals, read by <see cref="SilenceWatch"/>.</summary>
public sealed class AlertActivity
{
    private long _lastTicks;

    /// <summary>Null until an alert is seen in this process.</summary>
    public DateTimeOffset? Last => Interlocked.Read(ref _lastTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public void Seen(DateTimeOffset receivedAt)
    {
        var ticks = receivedAt.UtcTicks;
        var last = Interlocked.Read(ref _lastTicks);
        while (ticks > last)
        {
            var seen = Interlocked.CompareExchange(ref _lastTicks, ticks, last);
            if (seen == last)
            {
                return;
            }

            last = seen;
        }
    }
}

/// <summary>
/// Raises <c>system.silence</c> once per silent stretch when no alert arrived for <c>Kyperian:Notify:SilenceHours</c>:
/// a TradingView alert that expired or a webhook URL that changed is otherwise noticed only by missed trades.
/// </summary>
public sealed partial class SilenceWatch(
    AlertActivity activity,
    NotificationPublisher publisher,
    IOptions<NotifyOptions> options,
    TimeProvider time,
    ILogger<SilenceWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var hours = options.Value.SilenceHours;
        if (hours <= 0 || !publisher.AnyTakes(NotificationEventType.SystemSilence))
        {
            return;
        }

        var silence = TimeSpan.FromHours(hours);
        var check = TimeSpan.FromTicks(Math.Clamp(silence.Ticks / 20, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        var started = time.GetUtcNow();
        DateTimeOffset? raisedFor = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(check, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = time.GetUtcNow();
            var last = activity.Last;
            var since = last ?? started;
            if (now - since < silence || raisedFor == since)
            {
                continue;
            }

            try
            {
                await publisher.PublishAsync(NotificationEvents.ForSilence(last, now - since, now), rawAlert: null, stoppingToken);
                raisedFor = since;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRaiseFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notifications: could not raise system.silence; will try again")]
    private static partial void LogRaiseFailed(ILogger logger, Exception exception);
}
