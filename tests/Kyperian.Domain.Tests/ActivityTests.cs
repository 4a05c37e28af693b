using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Kyperian.Domain.Activity;
using Kyperian.Domain.Ports;

namespace Kyperian.Domain.Tests;

/// <summary>The activity counters' keys and latency buckets, and the decision list's order.</summary>
public class ActivityTests
{
    [Property]
    public Property A_percentile_from_the_buckets_is_an_upper_bound_within_19_percent(PositiveInt[] samples, byte percent)
    {
        var latencies = samples.Select(s => s.Get / 100.0).Where(ms => ms > 0.25 && ms < 1e6).ToArray();
        var quantile = Math.Clamp(percent / 255.0, 0.01, 1.0);
        return (latencies.Length > 0).Implies(() =>
        {
            var counts = latencies.GroupBy(LatencyBuckets.Of).ToDictionary(g => g.Key, g => (long)g.Count());
            var sorted = latencies.Order().ToArray();
            var exact = sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
            var estimate = LatencyBuckets.Percentile(counts, quantile)!.Value;
            return estimate >= exact - 0.001 && estimate <= exact * 1.19 + 0.001;
        });
    }

    [Fact]
    public void No_samples_no_percentile_and_tiny_or_huge_latencies_stay_in_range()
    {
        Assert.Null(LatencyBuckets.Percentile(new Dictionary<int, long>(), 0.99));
        Assert.Equal(0, LatencyBuckets.Of(0));
        Assert.Equal(0, LatencyBuckets.Of(double.NaN));
        Assert.Equal(LatencyBuckets.Count - 1, LatencyBuckets.Of(1e12));
    }

    [Property]
    public bool A_key_reads_back_as_written(NonNull<string> value, byte dimension)
    {
        var dimensions = Enum.GetValues<ActivityDimension>();
        var key = new ActivityKey(dimensions[dimension % dimensions.Length], value.Get);
        return ActivityKey.TryDecode(key.Encode(), out var read) && read == key;
    }

    [Fact]
    public void Hours_are_whole_UTC_hours_whose_keys_sort_in_time_order()
    {
        var at = new DateTimeOffset(2026, 3, 1, 23, 59, 59, TimeSpan.FromHours(-5));
        var hour = ActivityTally.HourOf(at);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 4, 0, 0, TimeSpan.Zero), hour);
        Assert.Equal("2026-03-02T04", ActivityTally.HourKey(hour));
        Assert.Equal(hour, ActivityTally.ParseHourKey(ActivityTally.HourKey(hour)));
        Assert.True(string.CompareOrdinal(ActivityTally.HourKey(hour), ActivityTally.HourKey(hour.AddHours(1))) < 0);
    }

    [Property]
    public bool The_decision_list_order_is_strict_and_newest_first(DateTimeOffset a, DateTimeOffset b, NonEmptyString idA, NonEmptyString idB)
    {
        var x = new DecisionPosition(a, idA.Get);
        var y = new DecisionPosition(b, idB.Get);
        return x == y
            ? !x.IsBefore(y) && !y.IsBefore(x)
            : x.IsBefore(y) != y.IsBefore(x) && (a <= b || x.IsBefore(y));
    }
}
