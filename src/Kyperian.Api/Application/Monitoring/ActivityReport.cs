using Kyperian.Api.Application.Observability;
using Kyperian.Domain.Activity;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;

namespace Kyperian.Api.Application.Monitoring;

/// <summary>Latency percentiles, in milliseconds, each an upper bound within 19 % of the true value.</summary>
public sealed record LatencySummary(long Count, double? P50Ms, double? P90Ms, double? P99Ms);

/// <summary>What the service did in a range of whole UTC hours.</summary>
public sealed record ActivityView(
    DateTimeOffset From,
    DateTimeOffset To,
    long Decisions,
    double VetoRate,
    IReadOnlyDictionary<string, long> ByVerdict,
    IReadOnlyDictionary<string, long> ByReason,
    IReadOnlyDictionary<string, long> BySymbol,
    IReadOnlyDictionary<string, long> ByTimeframe,
    IReadOnlyDictionary<string, long> RejectedByStatus,
    LatencySummary DecisionLatency,
    LatencySummary WebhookLatency);

/// <summary>Sums the hourly activity counters of a range into the console's statistics.</summary>
public sealed class ActivityReport(IActivityStats stats, ActivityRecorder recorder, TimeProvider time)
{
    public static TimeSpan DefaultRange { get; } = TimeSpan.FromHours(24);

    /// <summary>The hours that hold <paramref name="from"/> to <paramref name="to"/> (default: the last 24 hours).</summary>
    public async Task<ActivityView> GetAsync(DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        // This process's own counts first, so that what it just did is in the answer.
        await recorder.FlushAsync(cancellationToken);

        var end = ActivityTally.HourOf(to ?? time.GetUtcNow());
        var start = ActivityTally.HourOf(from ?? (to ?? time.GetUtcNow()) - DefaultRange);
        var tallies = start <= end ? await stats.ReadAsync(start, end, cancellationToken) : [];

        var sums = new Dictionary<ActivityDimension, SortedDictionary<string, long>>();
        foreach (var tally in tallies)
        {
            foreach (var (key, count) in tally.Counts)
            {
                if (!sums.TryGetValue(key.Dimension, out var byValue))
                {
                    sums[key.Dimension] = byValue = new SortedDictionary<string, long>(StringComparer.Ordinal);
                }

                byValue[key.Value] = byValue.GetValueOrDefault(key.Value) + count;
            }
        }

        var byVerdict = Of(sums, ActivityDimension.Verdict);
        var decisions = byVerdict.Values.Sum();
        return new ActivityView(
            start,
            end.AddHours(1),
            decisions,
            decisions == 0 ? 0 : Math.Round((double)byVerdict.GetValueOrDefault(Verdict.Veto.Code()) / decisions, 4),
            byVerdict,
            Of(sums, ActivityDimension.Reason),
            Of(sums, ActivityDimension.Symbol),
            Of(sums, ActivityDimension.Timeframe),
            Of(sums, ActivityDimension.Rejected),
            Latency(Of(sums, ActivityDimension.DecisionLatency)),
            Latency(Of(sums, ActivityDimension.WebhookLatency)));
    }

    private static IReadOnlyDictionary<string, long> Of(Dictionary<ActivityDimension, SortedDictionary<string, long>> sums, ActivityDimension dimension) =>
        sums.TryGetValue(dimension, out var byValue) ? byValue : new SortedDictionary<string, long>();

    private static LatencySummary Latency(IReadOnlyDictionary<string, long> buckets)
    {
        var counts = new Dictionary<int, long>();
        foreach (var (bucket, count) in buckets)
        {
            if (int.TryParse(bucket, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            {
                counts[index] = counts.GetValueOrDefault(index) + count;
            }
        }

        return new LatencySummary(
            counts.Values.Sum(),
            LatencyBuckets.Percentile(counts, 0.50),
            LatencyBuckets.Percentile(counts, 0.90),
            LatencyBuckets.Percentile(counts, 0.99));
    }
}
