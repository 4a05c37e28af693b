using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Kyperian.Api.Tests.Faults;

/// <summary>
/// The fault rules over the whole pipeline: a burst of real HTTP alerts while a backend dies. Every 202
/// must end up stored and decided once; the only 503s are for alerts nothing took. Each test owns its servers; the
/// tests of this class run one after another.
/// </summary>
public sealed class PipelineFaultTests(ITestOutputHelper output)
{
    private const int Alerts = 60;
    private const int Concurrency = 8;
    // What these tests promise is "decided, once", not how soon: a run takes about 10 s, and the margin is for a loaded
    // machine, where reconnecting and redelivering after a server comes back takes longer.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Redis_killed_during_a_burst_every_202_is_stored_and_decided_once_and_replays_are_duplicates()
    {
        var watch = Stopwatch.StartNew();
        await using var pipeline = await FaultPipeline.StartAsync(output);
        var alerts = Enumerable.Range(0, Alerts).Select(i => pipeline.Alert("redis", i)).ToList();

        var burst = await pipeline.SendAsync(alerts, Concurrency, TimeSpan.Zero, (Alerts / 3, () => pipeline.Redis.StopAsync()));
        Assert.False(pipeline.Redis.Running);
        Assert.All(burst.All, r => Assert.Equal(202, r.Outcome.Status));

        // TradingView's resends while Redis is still down: the store's conditional add recognises every one.
        var replays = new List<Outcome>();
        foreach (var (alert, first) in burst.All)
        {
            var again = await pipeline.PostAsync(alert);
            Assert.Equal(200, again.Status);
            Assert.Equal(first.SignalId, again.SignalId);
            Assert.Equal("duplicate", JsonDocument.Parse(again.Body).RootElement.GetProperty("status").GetString());
            replays.Add(again);
        }

        Assert.Contains(pipeline.App.Logs.Lines, l => l.Message.StartsWith("Dedupe store unavailable", StringComparison.Ordinal));

        // Back: the engine, whose timeframe state is in Redis, decides what was redelivered meanwhile.
        await pipeline.Redis.StartAsync();
        var counts = await VerifyAsync(pipeline, burst, replays);
        pipeline.Report(nameof(Redis_killed_during_a_burst_every_202_is_stored_and_decided_once_and_replays_are_duplicates), counts, watch.Elapsed);
        Assert.Equal(0, counts.Lost);
        Assert.Equal(Alerts, counts.Decided);
    }

    [Fact]
    public async Task Dynalite_stopped_and_restarted_during_a_burst_the_bus_takes_alerts_and_the_engine_stores_them()
    {
        var watch = Stopwatch.StartNew();
        await using var pipeline = await FaultPipeline.StartAsync(output);
        var alerts = Enumerable.Range(0, Alerts).Select(i => pipeline.Alert("dyn", i)).ToList();

        // Down after the first third, back (same port, same data) from the second third on.
        var burst = await pipeline.SendAsync(
            alerts,
            Concurrency,
            TimeSpan.FromMilliseconds(30),
            (Alerts / 3, () => pipeline.Dynalite.StopAsync()),
            (2 * Alerts / 3, () => pipeline.Dynalite.StartAsync()));
        Assert.True(pipeline.Dynalite.Running);

        var refused = await AssertRefusedOnlyWhatNothingTookAsync(pipeline, burst);

        var counts = await VerifyAsync(pipeline, burst, refused);
        var storedLate = pipeline.App.Logs.Lines.Count(l => l.Message.Contains("arrived on the bus but not in the store", StringComparison.Ordinal));
        output.WriteLine($"  stored by the engine (the bus took them, the store did not): {storedLate}");
        pipeline.Report(nameof(Dynalite_stopped_and_restarted_during_a_burst_the_bus_takes_alerts_and_the_engine_stores_them), counts, watch.Elapsed);
        Assert.True(storedLate > 0, "no alert arrived while dynalite was down");
        Assert.Equal(0, counts.Lost);
        Assert.Equal(Alerts, counts.Decided);
    }

    [Fact]
    public async Task Bus_failing_half_its_calls_every_202_is_stored_and_decided_and_the_only_503s_are_for_alerts_nothing_took()
    {
        var watch = Stopwatch.StartNew();
        // A breaker that opens at 50% failures would take a bus failing every other call for a dead one and fail
        // everything fast: this test is about a bus that still takes half its calls.
        await using var pipeline = await FaultPipeline.StartAsync(
            output, new() { ["Kyperian:Resilience:EventBridge:BreakerFailureRatio"] = "0.8" });

        // Every other PutEvents call fails as a whole (500 InternalFailure, or 400 ThrottlingException); and the entries
        // of every other alert fail (InternalFailure / ThrottlingException) for longer than the client resends them, so
        // the webhook leaves them Pending and the sweeper republishes them.
        pipeline.Aws.EventBridge.FailCall = call => call % 2 == 0 ? (call % 4 == 0 ? "ThrottlingException" : "InternalFailure") : null;
        pipeline.Aws.EventBridge.FailEntry = (detail, attempt) =>
            detail.Contains("\"alertId\":\"flaky-", StringComparison.Ordinal) && attempt <= 4
                ? (attempt % 2 == 0 ? "ThrottlingException" : "InternalFailure")
                : null;
        var alerts = Enumerable.Range(0, Alerts).Select(i => pipeline.Alert(i % 2 == 0 ? "flaky" : "bus", i)).ToList();

        // And dynalite down for a short window in the middle: there, an alert the bus does not take is refused.
        var burst = await pipeline.SendAsync(
            alerts,
            Concurrency,
            TimeSpan.FromMilliseconds(30),
            (Alerts / 3, () => pipeline.Dynalite.StopAsync()),
            (Alerts / 2, () => pipeline.Dynalite.StartAsync()));

        var refused = await AssertRefusedOnlyWhatNothingTookAsync(pipeline, burst);

        var counts = await VerifyAsync(pipeline, burst, refused);
        var pending = PendingIds(pipeline);
        output.WriteLine($"  refused while dynalite was down and the bus failed: {burst.With(503).Count()}; left Pending by the webhook (only the sweeper republishes them): {pending}");
        pipeline.Report(nameof(Bus_failing_half_its_calls_every_202_is_stored_and_decided_and_the_only_503s_are_for_alerts_nothing_took), counts, watch.Elapsed);
        Assert.True(pending > 0, "no alert was left Pending");
        Assert.Equal(0, counts.Lost);
        Assert.Equal(Alerts, counts.Decided);
    }

    [Fact]
    public async Task A_Pending_signal_the_bus_rejects_for_good_does_not_hold_back_the_others()
    {
        var watch = Stopwatch.StartNew();
        await using var pipeline = await FaultPipeline.StartAsync(output);

        // One entry the bus refuses whatever is done (a non-retryable code), then alerts whose entries fail for longer
        // than the client resends them: all stored Pending, the poisoned one the oldest, first in the sweeper's list.
        pipeline.Aws.EventBridge.FailEntry = (detail, attempt) =>
            detail.Contains("\"alertId\":\"poison-", StringComparison.Ordinal) ? "MalformedDetail"
            : detail.Contains("\"alertId\":\"late-", StringComparison.Ordinal) && attempt <= 4 ? "InternalFailure"
            : null;
        var poison = await pipeline.PostAsync(pipeline.Alert("poison", 0));
        Assert.Equal(202, poison.Status);
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        var burst = await pipeline.SendAsync([.. Enumerable.Range(1, 12).Select(i => pipeline.Alert("late", i))], 4, TimeSpan.Zero);

        var counts = await VerifyAsync(pipeline, burst, settle: TimeSpan.FromSeconds(12));
        pipeline.Report(nameof(A_Pending_signal_the_bus_rejects_for_good_does_not_hold_back_the_others), counts, watch.Elapsed);
        Assert.Equal(0, counts.Lost);
        Assert.Equal(12, counts.Decided);

        // The refused one stays stored and Pending for an operator; never decided, as the bus never carried it.
        Assert.True(await pipeline.IsStoredAsync(poison.SignalId!));
        Assert.False(await pipeline.IsDecidedAsync(poison.SignalId!));
    }

    private static int PendingIds(FaultPipeline pipeline) =>
        pipeline.App.Logs.Lines
            .Where(l => l.Message.StartsWith("Publishing signal", StringComparison.Ordinal) && l.Message.Contains("(stored: True)", StringComparison.Ordinal))
            .Select(l => l.Message.Split(' ')[2])
            .Distinct(StringComparer.Ordinal)
            .Count();

    /// <summary>
    /// Each 503 is for an alert nothing took (not stored, not on the bus, not decided); once the servers are back,
    /// TradingView's resend of it is accepted. The one exception is a write the store made just before it died, whose
    /// answer died with it: that signal is kept Pending, the sweeper publishes it, and the resend is a duplicate.
    /// </summary>
    /// <returns>The answers to the resends.</returns>
    private static async Task<List<Outcome>> AssertRefusedOnlyWhatNothingTookAsync(FaultPipeline pipeline, Burst burst)
    {
        Assert.All(burst.All, r => Assert.Contains(r.Outcome.Status, new[] { 202, 503 }));
        var refused = burst.With(503).ToList();
        if (refused.Count == 0)
        {
            return [];
        }

        // Wait for the store to answer again, then look for each refused alert everywhere.
        var probe = burst.With(202).First().Outcome.SignalId!;
        await FaultPipeline.EventuallyAsync(() => pipeline.IsStoredAsync(probe), TimeSpan.FromSeconds(15), "the store back");
        var landed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (alert, _) in refused)
        {
            var id = await pipeline.SignalIdOfAsync(alert);
            if (await pipeline.IsStoredAsync(id))
            {
                landed.Add(id);
                continue;
            }

            Assert.False(pipeline.OnTheBus(id), $"{id} was refused but the bus took it");
            Assert.False(await pipeline.IsDecidedAsync(id), $"{id} was refused but decided");
        }

        // TradingView resends it 5 s later: welcome now, or recognised when the store had kept it.
        var resends = new List<Outcome>();
        foreach (var (alert, _) in refused)
        {
            var again = await pipeline.PostAsync(alert);
            Assert.Equal(landed.Contains(again.SignalId!) ? 200 : 202, again.Status);
            resends.Add(again);
        }

        return resends;
    }

    /// <summary>Every signal answered 202 or "duplicate" stored and decided exactly once within <see cref="Settle"/>; the counts.</summary>
    private static async Task<Counts> VerifyAsync(FaultPipeline pipeline, Burst burst, IEnumerable<Outcome>? more = null, TimeSpan? settle = null)
    {
        var counts = new Counts();
        var outcomes = burst.All.Select(r => r.Outcome).Concat(more ?? []).ToList();
        counts.Count(outcomes);
        Assert.Equal(0, counts.Other);
        var accepted = outcomes.Where(o => o.Status is 202 or 200).Select(o => o.SignalId!).Distinct(StringComparer.Ordinal).ToList();
        var missing = await pipeline.WaitDecidedAsync(accepted, settle ?? Settle);
        foreach (var id in accepted)
        {
            if (!missing.Contains(id))
            {
                counts.Stored++;
                counts.Decided++;
            }
            else
            {
                counts.Stored += await pipeline.IsStoredAsync(id) ? 1 : 0;
                counts.Decided += await pipeline.IsDecidedAsync(id) ? 1 : 0;
            }
        }

        counts.Lost = missing.Count;
        var decisions = await pipeline.DecisionCountsAsync();
        foreach (var id in accepted.Where(id => !missing.Contains(id)))
        {
            Assert.Equal(1, decisions.GetValueOrDefault(id));
        }

        return counts;
    }
}
