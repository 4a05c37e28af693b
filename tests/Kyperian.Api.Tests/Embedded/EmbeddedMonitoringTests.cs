using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Api.Tests.Adapters;
using Kyperian.Domain.Activity;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kyperian.Api.Tests.Embedded;

/// <summary>What the console reads from the embedded database: the market view and the activity counters.</summary>
public sealed class EmbeddedMonitoringTests
{
    [Fact]
    public async Task The_market_view_lists_every_symbol_with_state_in_order_and_survives_a_restart()
    {
        await using var db = new EmbeddedTestDatabase(new Dictionary<string, string?> { ["Kyperian:Embedded:SymbolCacheSize"] = "1" });
        var market = db.Get<IMarketState>();
        var at = db.Time.GetUtcNow();
        await market.RecordAsync(TestData.Signal("ETHUSDT", "15", SignalAction.Sell, alertTime: at, confidence: 55), default);
        await market.RecordAsync(TestData.Signal("BTCUSDT", "60", alertTime: at), default);
        await market.RecordAsync(TestData.Signal("BTCUSDT", "240", alertTime: at, confidence: 90), default);

        // An alert without a confidence: the state keeps none, and the engine's default stands in.
        await market.RecordAsync(TestData.Signal("BTCUSDT", "D", alertTime: at) with { Confidence = null }, default);
        await market.SetLastExecuteAsync(Symbol.FromTrusted("BTCUSDT"), at, TimeSpan.FromMinutes(1), default);
        await SettledAsync(db);

        foreach (var restart in new[] { false, true })
        {
            if (restart)
            {
                await db.RestartAsync();
            }

            var view = db.Get<IMarketView>();
            var listed = await view.ListAsync(default);
            Assert.Equal(["BTCUSDT", "ETHUSDT"], listed.Select(s => s.Symbol.Value));
            Assert.Equal(["1D", "1h", "4h"], listed[0].Timeframes.Select(t => t.Timeframe.Label).Order(StringComparer.Ordinal));
            Assert.Null(listed[0].Timeframes.Single(t => t.Timeframe.Label == "1D").Confidence);
            Assert.Equal(at, listed[0].Timeframes.Single(t => t.Timeframe.Label == "1D").ObservedAt);
            Assert.Equal(at, listed[0].LastExecuteAt);
            var sell = Assert.Single(listed[1].Timeframes);
            Assert.Equal((SignalAction.Sell, 55, at), (sell.Action, sell.Confidence, sell.ObservedAt));
            Assert.Null(listed[1].LastExecuteAt);
            Assert.Equal(listed[1].Timeframes, (await view.GetAsync(Symbol.FromTrusted("ETHUSDT"), default))!.Timeframes);
            Assert.Null(await view.GetAsync(Symbol.FromTrusted("NEVERSEEN"), default));
        }
    }

    [Fact]
    public async Task Activity_counters_add_up_by_hour_and_a_range_reads_its_hours_only()
    {
        await using var db = new EmbeddedTestDatabase();
        var stats = db.Get<IActivityStats>();
        var hour = ActivityTally.HourOf(db.Time.GetUtcNow());
        var veto = new ActivityKey(ActivityDimension.Verdict, "VETO");
        var symbol = new ActivityKey(ActivityDimension.Symbol, "ES1!");

        await Task.WhenAll(
            stats.AddAsync(new ActivityTally(hour, new Dictionary<ActivityKey, long> { [veto] = 2, [symbol] = 1 }), default),
            stats.AddAsync(new ActivityTally(hour, new Dictionary<ActivityKey, long> { [veto] = 3 }), default),
            stats.AddAsync(new ActivityTally(hour.AddHours(5), new Dictionary<ActivityKey, long> { [veto] = 7 }), default));

        var read = await stats.ReadAsync(hour, hour.AddHours(1), default);
        var only = Assert.Single(read);
        Assert.Equal(hour, only.Hour);
        Assert.Equal(5, only.Counts[veto]);
        Assert.Equal(1, only.Counts[symbol]);
        Assert.Equal([hour, hour.AddHours(5)], (await stats.ReadAsync(hour, hour.AddHours(5), default)).Select(t => t.Hour));

        // Kept as long as the history (Kyperian:Embedded:RetentionDays), then removed.
        db.Time.Advance(TimeSpan.FromDays(31));
        await db.Services.GetServices<IHostedService>().OfType<EmbeddedRetention>().Single().RemoveExpiredAsync(default);
        Assert.Empty(await stats.ReadAsync(hour, hour.AddHours(5), default));
    }

    /// <summary>Waits until every write queued so far is committed: state changes are queued without waiting.</summary>
    private static Task SettledAsync(EmbeddedTestDatabase db) => db.Get<EmbeddedDatabase>().WriteAsync(0, static (_, _) => 0);
}
