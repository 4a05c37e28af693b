using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Api.Tests.Adapters;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Tests.Embedded;

/// <summary>Dedupe claims and the engine's per-symbol state on a real database file, with small and default caches.</summary>
public sealed class EmbeddedStateTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(300);

    /// <summary>The default caches, and caches so small that most answers come from the file.</summary>
    public static TheoryData<int, int> Caches => new() { { 131_072, 10_000 }, { 2, 1 } };

    private static EmbeddedTestDatabase Open(int claimCache, int symbolCache) => new(new Dictionary<string, string?>
    {
        ["Kyperian:Embedded:ClaimCacheSize"] = claimCache.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Kyperian:Embedded:SymbolCacheSize"] = symbolCache.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    [Theory]
    [MemberData(nameof(Caches))]
    public async Task A_claim_is_won_once_within_its_window_and_can_be_given_back(int claimCache, int symbolCache)
    {
        await using var db = Open(claimCache, symbolCache);
        var dedupe = db.Get<IDedupeStore>();
        var ids = Enumerable.Range(0, 10).Select(_ => TestData.UniqueId()).ToList();
        foreach (var id in ids)
        {
            Assert.True(await dedupe.TryClaimAsync(id, Window, default));
        }

        foreach (var id in ids)
        {
            Assert.False(await dedupe.TryClaimAsync(id, Window, default));
            Assert.True(await dedupe.IsClaimedAsync(id, default));
        }

        Assert.False(await dedupe.IsClaimedAsync(TestData.UniqueId(), default));

        await dedupe.ReleaseAsync(ids[0], default);
        Assert.False(await dedupe.IsClaimedAsync(ids[0], default));
        Assert.True(await dedupe.TryClaimAsync(ids[0], Window, default));

        db.Time.Advance(Window + TimeSpan.FromSeconds(1));
        Assert.False(await dedupe.IsClaimedAsync(ids[1], default));
        Assert.True(await dedupe.TryClaimAsync(ids[1], Window, default));
        Assert.False(await dedupe.TryClaimAsync(ids[1], Window, default));
    }

    [Theory]
    [MemberData(nameof(Caches))]
    public async Task Concurrent_claims_of_one_id_have_one_winner(int claimCache, int symbolCache)
    {
        await using var db = Open(claimCache, symbolCache);
        var dedupe = db.Get<IDedupeStore>();
        for (var round = 0; round < 20; round++)
        {
            var id = TestData.UniqueId();
            var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => dedupe.TryClaimAsync(id, Window, default))));
            Assert.Single(results, r => r);
        }
    }

    [Theory]
    [MemberData(nameof(Caches))]
    public async Task Claims_survive_a_restart_for_their_window_and_no_longer(int claimCache, int symbolCache)
    {
        await using var db = Open(claimCache, symbolCache);
        var claimed = TestData.UniqueId();
        var released = TestData.UniqueId();
        var shortWindow = TestData.UniqueId();
        Assert.True(await db.Get<IDedupeStore>().TryClaimAsync(claimed, Window, default));
        Assert.True(await db.Get<IDedupeStore>().TryClaimAsync(released, Window, default));
        Assert.True(await db.Get<IDedupeStore>().TryClaimAsync(shortWindow, TimeSpan.FromSeconds(10), default));
        await db.Get<IDedupeStore>().ReleaseAsync(released, default);

        // Every queued write is committed behind one that is awaited, as the webhook's signal insert does.
        await db.Get<ISignalStore>().TryAddAsync(TestData.Signal(), PublishState.Pending, default);
        await db.RestartAsync();
        db.Time.Advance(TimeSpan.FromSeconds(60));

        var dedupe = db.Get<IDedupeStore>();
        Assert.True(await dedupe.IsClaimedAsync(claimed, default));
        Assert.False(await dedupe.TryClaimAsync(claimed, Window, default));
        Assert.False(await dedupe.IsClaimedAsync(released, default));
        Assert.False(await dedupe.IsClaimedAsync(shortWindow, default));
        Assert.True(await dedupe.TryClaimAsync(shortWindow, Window, default));

        db.Time.Advance(Window);
        Assert.False(await dedupe.IsClaimedAsync(claimed, default));
        Assert.True(await dedupe.TryClaimAsync(claimed, Window, default));
    }

    [Fact]
    public async Task Memory_holds_at_most_two_generations_of_claims()
    {
        await using var db = Open(claimCache: 100, symbolCache: 10);
        var dedupe = db.Get<SqliteDedupeStore>();
        var ids = new List<string>();
        for (var i = 0; i < 1_000; i++)
        {
            ids.Add(TestData.UniqueId());
            Assert.True(await dedupe.TryClaimAsync(ids[^1], Window, default));
            if (i % 50 == 0)
            {
                // Lets the writer commit, so the older generation may go.
                await db.Get<ISignalStore>().TryAddAsync(TestData.Signal(), PublishState.Pending, default);
            }
        }

        Assert.InRange(dedupe.Cached, 1, 150);
        Assert.All(await Task.WhenAll(ids.Select(id => dedupe.IsClaimedAsync(id, default))), Assert.True);
        Assert.False(await dedupe.TryClaimAsync(ids[0], Window, default));
    }

    [Theory]
    [MemberData(nameof(Caches))]
    public async Task The_latest_signal_per_timeframe_wins_and_is_kept_across_a_restart(int claimCache, int symbolCache)
    {
        await using var db = Open(claimCache, symbolCache);
        var now = db.Time.GetUtcNow();
        var market = db.Get<IMarketState>();
        var m15 = TestData.Signal(symbol: "BTCUSDT", timeframe: "15", alertTime: now.AddMinutes(-1));
        var h4 = TestData.Signal(symbol: "BTCUSDT", timeframe: "240", action: SignalAction.Sell, alertTime: now.AddMinutes(-30));
        var olderM15 = TestData.Signal(symbol: "BTCUSDT", timeframe: "15", action: SignalAction.Sell, alertTime: now.AddMinutes(-5));
        var other = TestData.Signal(symbol: "ETHUSDT", timeframe: "60", alertTime: now);

        await market.RecordAsync(m15, default);
        await market.RecordAsync(h4, default);
        await market.RecordAsync(other, default);
        var latest = await market.RecordAsync(olderM15, default);
        Assert.Equal([m15.SignalId, h4.SignalId], latest.OrderBy(t => t.Timeframe).Select(t => t.SignalId));

        await market.SetLastExecuteAsync(m15.Symbol, now, TimeSpan.FromMinutes(15), default);
        await market.SetLastExecuteAsync(m15.Symbol, now.AddMinutes(-1), TimeSpan.FromMinutes(15), default);
        Assert.Equal(now, await market.GetLastExecuteAsync(m15.Symbol, default));
        Assert.Null(await market.GetLastExecuteAsync(other.Symbol, default));

        await db.Get<IDecisionStore>().TryAddAsync(TestData.Decision(m15), default);
        await db.RestartAsync();
        market = db.Get<IMarketState>();

        Assert.Equal(now, await market.GetLastExecuteAsync(m15.Symbol, default));
        var after = await market.RecordAsync(TestData.Signal(symbol: "BTCUSDT", timeframe: "60", alertTime: now), default);
        var byTimeframe = after.ToDictionary(t => t.Timeframe.Label, t => t);
        Assert.Equal(3, byTimeframe.Count);
        Assert.Equal(m15.SignalId, byTimeframe["15m"].SignalId);
        Assert.Equal(SignalAction.Buy, byTimeframe["15m"].Action);
        Assert.Equal(m15.ObservedAt, byTimeframe["15m"].ObservedAt);
        Assert.Equal(h4.SignalId, byTimeframe["4h"].SignalId);
        Assert.Equal(SignalAction.Sell, byTimeframe["4h"].Action);
        Assert.Single(await market.RecordAsync(other with { SignalId = "sig_older", AlertTime = now.AddHours(-1) }, default));
    }

    [Fact]
    public async Task Many_symbols_through_a_small_cache_keep_their_state()
    {
        await using var db = Open(claimCache: 100, symbolCache: 3);
        var market = db.Get<SqliteMarketState>();
        var now = db.Time.GetUtcNow();
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
            {
                var symbol = "S" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var latest = await market.RecordAsync(TestData.Signal(symbol: symbol, timeframe: (round + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), alertTime: now), default);
                Assert.Equal(round + 1, latest.Count);
            }));
        }

        Assert.InRange(market.Cached, 1, 12);
    }
}
