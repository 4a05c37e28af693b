using System.Diagnostics.Metrics;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Application.Observability;

/// <summary>The app's instruments on one <see cref="Meter"/>; exporters (EMF for CloudWatch) listen to it.</summary>
public sealed class KyperianMetrics
{
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _duplicate;
    private readonly Counter<long> _unavailable;
    private readonly Histogram<double> _validationTime;
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _vetoes;
    private readonly Histogram<double> _positionSize;
    private readonly Histogram<double> _endToEnd;

    public KyperianMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MetricNames.Namespace);
        _accepted = meter.CreateCounter<long>(MetricNames.SignalsAccepted, "{signal}");
        _rejected = meter.CreateCounter<long>(MetricNames.SignalsRejected, "{signal}");
        _duplicate = meter.CreateCounter<long>(MetricNames.SignalsDuplicate, "{signal}");
        _unavailable = meter.CreateCounter<long>(MetricNames.SignalsUnavailable, "{signal}");
        _validationTime = meter.CreateHistogram<double>(MetricNames.ValidationTime, "us");
        _decisions = meter.CreateCounter<long>(MetricNames.Decisions, "{decision}");
        _vetoes = meter.CreateCounter<long>(MetricNames.Vetoes, "{reason}");
        _positionSize = meter.CreateHistogram<double>(MetricNames.PositionSize, "%");
        _endToEnd = meter.CreateHistogram<double>(MetricNames.EndToEndLatency, "ms");
    }

    public void SignalAccepted(Signal signal) =>
        _accepted.Add(
            1,
            new(MetricNames.Dimensions.Action, signal.Action.ToString()),
            new(MetricNames.Dimensions.Timeframe, signal.Timeframe.Label));

    public void SignalRejected(int status) =>
        _rejected.Add(1, new KeyValuePair<string, object?>(MetricNames.Dimensions.Status, status));

    public void SignalDuplicate() => _duplicate.Add(1);

    public void SignalUnavailable() => _unavailable.Add(1);

    public void ValidationTime(double microseconds) => _validationTime.Record(microseconds);

    public void DecisionMade(Decision decision)
    {
        var verdict = new KeyValuePair<string, object?>(MetricNames.Dimensions.Verdict, decision.Verdict.Code());
        _decisions.Add(1, verdict, new(MetricNames.Dimensions.Timeframe, decision.Timeframe.Label));
        foreach (var reason in decision.Reasons)
        {
            _vetoes.Add(1, new KeyValuePair<string, object?>(MetricNames.Dimensions.Reason, reason.Code()));
        }

        if (decision.Verdict == Verdict.Execute && decision.IsEntry)
        {
            _positionSize.Record(decision.PositionSizePct);
        }

        _endToEnd.Record(decision.LatencyMs);
    }
}
