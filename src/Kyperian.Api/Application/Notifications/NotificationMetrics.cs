using System.Diagnostics.Metrics;
using Kyperian.Api.Application.Observability;

namespace Kyperian.Api.Application.Notifications;

/// <summary>Deliveries sent and dead-lettered per destination, and how long an event took to reach it.</summary>
public sealed class NotificationMetrics
{
    private readonly Counter<long> _sent;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _delay;

    public NotificationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MetricNames.Namespace);
        _sent = meter.CreateCounter<long>(MetricNames.NotificationsSent, "{delivery}");
        _deadLettered = meter.CreateCounter<long>(MetricNames.NotificationsDeadLettered, "{delivery}");
        _delay = meter.CreateHistogram<double>(MetricNames.NotificationDelay, "ms");
    }

    public void Sent(string destination, TimeSpan sinceEvent)
    {
        var tag = new KeyValuePair<string, object?>(MetricNames.Dimensions.Destination, destination);
        _sent.Add(1, tag);
        _delay.Record(Math.Max(0, sinceEvent.TotalMilliseconds), tag);
    }

    public void DeadLettered(string destination) =>
        _deadLettered.Add(1, new KeyValuePair<string, object?>(MetricNames.Dimensions.Destination, destination));
}
