using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Kyperian.Api.Tests.Faults;

/// <summary>
/// DESIGN §9 over the whole pipeline (issue 6, item 3): a burst of real HTTP alerts while a backend dies. Every 202
/// must end up stored and decided once; the only 503s are for alerts nothing took. Each test owns its servers; the
/// tests of this class run one after another.
/// </summary>
public sealed class PipelineFaultTests(ITestOutputHelper output)
{
    private const int Alerts = 60;
    private const int Concurrency = 8;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(25);

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

    /// <summary>Every 202 stored and decided exactly once within <see cref="Settle"/>; the counts.</summary>
    private static async Task<Counts> VerifyAsync(FaultPipeline pipeline, Burst burst, IEnumerable<Outcome>? more = null)
    {
        var counts = new Counts();
        counts.Count(burst.All.Select(r => r.Outcome).Concat(more ?? []));
        Assert.Equal(0, counts.Other);
        var accepted = burst.With(202).Select(r => r.Outcome.SignalId!).Distinct(StringComparer.Ordinal).ToList();
        var missing = await pipeline.WaitDecidedAsync(accepted, Settle);
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
