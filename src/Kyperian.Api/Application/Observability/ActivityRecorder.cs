using System.Collections.Concurrent;
using System.Globalization;
using Kyperian.Domain.Activity;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Observability;

/// <summary><c>Kyperian:Stats</c>: how often the counters of this process are added to the shared ones.</summary>
public sealed class ActivityOptions
{
    public const string Section = "Kyperian:Stats";

    /// <summary>Counters are held in memory this long at most before they are added to the store (and at shutdown).</summary>
    public int FlushSeconds { get; set; } = 10;
}

/// <summary>
/// Counts what this process does (decisions, vetoes, refused alerts, latencies) by UTC hour, in memory, and adds the
/// counts to <see cref="IActivityStats"/> now and then: one write per hour touched, however busy the service is.
/// </summary>
public sealed partial class ActivityRecorder(IActivityStats stats, TimeProvider time, ILogger<ActivityRecorder> logger)
{
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly ConcurrentDictionary<(DateTimeOffset Hour, ActivityKey Key), StrongBox> _pending = new();

    public void Decided(Decision decision)
    {
        var hour = ActivityTally.HourOf(decision.DecidedAt);
        Add(hour, new ActivityKey(ActivityDimension.Verdict, decision.Verdict.Code()));
        Add(hour, new ActivityKey(ActivityDimension.Symbol, decision.Symbol.Value));
        Add(hour, new ActivityKey(ActivityDimension.Timeframe, decision.Timeframe.Label));
        foreach (var reason in decision.Reasons)
        {
            Add(hour, new ActivityKey(ActivityDimension.Reason, reason.Code()));
        }

        Add(hour, Latency(ActivityDimension.DecisionLatency, decision.LatencyMs));
    }

    public void Rejected(int status) =>
        Add(ActivityTally.HourOf(time.GetUtcNow()), new ActivityKey(ActivityDimension.Rejected, status.ToString(CultureInfo.InvariantCulture)));

    public void Answered(TimeSpan elapsed) =>
        Add(ActivityTally.HourOf(time.GetUtcNow()), Latency(ActivityDimension.WebhookLatency, elapsed.TotalMilliseconds));

    /// <summary>Adds what was counted so far to the store. What fails to be written is kept for the next flush.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            // Each counter is taken by swapping it to 0, so a count added meanwhile waits for the next flush, never lost.
            var taken = new Dictionary<DateTimeOffset, Dictionary<ActivityKey, long>>();
            var stale = ActivityTally.HourOf(time.GetUtcNow()).AddHours(-2);
            foreach (var (key, counter) in _pending)
            {
                var count = Interlocked.Exchange(ref counter.Value, 0);
                if (count != 0)
                {
                    (taken.TryGetValue(key.Hour, out var counts) ? counts : taken[key.Hour] = [])[key.Key] = count;
                }
                else if (key.Hour < stale)
                {
                    _pending.TryRemove(key, out _);
                }
            }

            foreach (var (hour, counts) in taken)
            {
                try
                {
                    await stats.AddAsync(new ActivityTally(hour, counts), cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFlushFailed(logger, ex, ActivityTally.HourKey(hour));
                    foreach (var (key, count) in counts)
                    {
                        Add(hour, key, count);
                    }
                }
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private static ActivityKey Latency(ActivityDimension dimension, double milliseconds) =>
        new(dimension, LatencyBuckets.Of(milliseconds).ToString(CultureInfo.InvariantCulture));

    private void Add(DateTimeOffset hour, ActivityKey key, long count = 1)
    {
        var counter = _pending.GetOrAdd((hour, key), static _ => new StrongBox());
        Interlocked.Add(ref counter.Value, count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activity counters of {Hour} could not be stored; kept for the next attempt")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, string hour);

    private sealed class StrongBox
    {
        public long Value;
    }
}

/// <summary>Flushes <see cref="ActivityRecorder"/> every <see cref="ActivityOptions.FlushSeconds"/> and at shutdown.</summary>
public sealed class ActivityFlusher(ActivityRecorder recorder, IOptions<ActivityOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.FlushSeconds)), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await recorder.FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the last flush follows.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // Even when the host is out of patience: the store's own timeouts bound the last write.
        await recorder.FlushAsync(CancellationToken.None);
    }
}
