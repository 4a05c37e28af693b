using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Notifications;

/// <summary>
/// Tells the risk events the engine and the operators record (a loss warning or breach, a halt, a resume) as
/// <c>risk.*</c> notifications, through the outbox. The risk event log is durable and written wherever the risk changed
/// (the engine for a breach from model P&amp;L or a day that lifted one, the API for a P&amp;L report, a halt or a resume,
/// which on AWS is the function, where no destination is configured); this relay, in the engine that delivers, reads
/// it back and enqueues a delivery per destination. Delivery ids come from the risk event's id, so an event read twice
/// (after a restart, by two engines) is enqueued once, and one recorded just before a crash is told after it.
/// </summary>
public sealed partial class RiskEventRelay(
    IRiskEventLog riskEvents,
    NotificationPublisher publisher,
    IOptions<NotifyOptions> options,
    TimeProvider time,
    ILogger<RiskEventRelay> logger) : BackgroundService
{
    /// <summary>
    /// How far back events are read: wider than a restart, narrower than the outbox's retention, and short enough that
    /// a destination added later is not sent yesterday's halt.
    /// </summary>
    public static readonly TimeSpan Lookback = TimeSpan.FromHours(1);

    /// <summary>More risk events than this within <see cref="Lookback"/> is not a trading account's hour.</summary>
    private const int ReadLimit = 100;

    private static readonly NotificationEventType[] RiskTypes =
    [
        NotificationEventType.RiskWarning, NotificationEventType.RiskBreach, NotificationEventType.RiskHalt, NotificationEventType.RiskResume,
    ];

    // The events enqueued by this process, by id, with their time: not written again while they are in the lookback.
    private readonly Dictionary<string, DateTimeOffset> _relayed = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!RiskTypes.Any(publisher.AnyTakes))
        {
            return;
        }

        var poll = TimeSpan.FromMilliseconds(options.Value.PollIntervalMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RelayAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRelayFailed(logger, ex);
            }

            try
            {
                await Task.Delay(poll, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Enqueues the deliveries of every risk event of the lookback not enqueued yet by this process.</summary>
    /// <returns>How many risk events were new to this relay (each enqueued for the destinations that take its type).</returns>
    public async Task<int> RelayAsync(CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - Lookback;
        foreach (var old in _relayed.Where(e => e.Value < since).Select(e => e.Key).ToList())
        {
            _relayed.Remove(old);
        }

        // Newest first from the log; told oldest first, as they happened (the log's own order for one instant).
        var fresh = (await riskEvents.ListAsync(ReadLimit, cancellationToken))
            .Where(e => e.At >= since && !_relayed.ContainsKey(e.EventId))
            .Reverse()
            .ToList();
        foreach (var riskEvent in fresh)
        {
            await publisher.PublishAsync(NotificationEvents.ForRisk(riskEvent), rawAlert: null, cancellationToken);
            _relayed[riskEvent.EventId] = riskEvent.At;
            LogRelayed(logger, riskEvent.EventId, riskEvent.Kind);
        }

        return fresh.Count;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Notifications: risk event {EventId} ({Kind}) enqueued")]
    private static partial void LogRelayed(ILogger logger, string eventId, RiskEventKind kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notifications: could not read or enqueue risk events; will try again")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception);
}
