using Kyperian.Api.Infrastructure.Redis;
using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Kyperian.Api.Tests.Adapters;

/// <summary>Dedupe, timeframe state and cooldowns against a real redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStateTests(RedisServer redis) : IAsyncLifetime
{
    private ServiceProvider _services = null!;

    private IDedupeStore Dedupe => _services.GetRequiredService<IDedupeStore>();

    private IMarketState Market => _services.GetRequiredService<IMarketState>();

    public Task InitializeAsync()
    {
        _services = AdapterTestHost.Build(
            new Dictionary<string, string?> { ["Kyperian:Redis:Host"] = "127.0.0.1", ["Kyperian:Redis:Port"] = redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            (s, c) => s.AddRedisState(c));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private async Task<IDatabase> DbAsync() => await _services.GetRequiredService<RedisConnection>().DatabaseAsync();

    [Fact]
    public async Task Dedupe_claims_once_with_NX_and_expires_with_EX()
    {
        var id = TestData.UniqueId();
        Assert.True(await Dedupe.TryClaimAsync(id, TimeSpan.FromSeconds(300), default));
        Assert.False(await Dedupe.TryClaimAsync(id, TimeSpan.FromSeconds(300), default));
        Assert.True(await Dedupe.IsClaimedAsync(id, default));

        var db = await DbAsync();
        Assert.Equal("1", (string?)await db.StringGetAsync("kyperian:dedupe:" + id));
        Assert.InRange((await db.KeyTimeToLiveAsync("kyperian:dedupe:" + id))!.Value.TotalSeconds, 295, 300);

        await Dedupe.ReleaseAsync(id, default);
        Assert.False(await Dedupe.IsClaimedAsync(id, default));
        Assert.True(await Dedupe.TryClaimAsync(id, TimeSpan.FromSeconds(1), default));
        await Task.Delay(1200);
        Assert.True(await Dedupe.TryClaimAsync(id, TimeSpan.FromSeconds(1), default));
    }

    [Fact]
    public async Task Concurrent_claims_of_one_id_have_one_winner()
    {
        var id = TestData.UniqueId();
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Dedupe.TryClaimAsync(id, TimeSpan.FromSeconds(60), default)));
        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task Fifty_parallel_updates_of_one_symbol_lose_nothing()
    {
        var symbol = "SYM" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        string[] timeframes = ["1", "5", "15", "60", "240"];
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var signals = Enumerable.Range(0, 50)
            .Select(i => TestData.Signal(
                symbol,
                timeframes[i % timeframes.Length],
                i % 3 == 0 ? SignalAction.Sell : SignalAction.Buy,
                receivedAt: start.AddSeconds(Random.Shared.Next(0, 300)),
                confidence: 50 + (i % 50)))
            .ToList();

        var results = await Task.WhenAll(signals.Select(s => Task.Run(() => Market.RecordAsync(s, default))));

        var expected = signals
            .GroupBy(s => s.Timeframe)
            .ToDictionary(g => g.Key, g => g.Select(TimeframeSignal.From).Aggregate((a, b) => b.Supersedes(a) ? b : a));
        var final = await Market.RecordAsync(signals[0], default);
        Assert.Equal(expected.Count, final.Count);
        foreach (var latest in final)
        {
            Assert.Equal(expected[latest.Timeframe], latest);
        }

        // Every caller saw its own signal or a newer one on its timeframe, and never an older state.
        for (var i = 0; i < signals.Count; i++)
        {
            var own = TimeframeSignal.From(signals[i]);
            var seen = Assert.Single(results[i], t => t.Timeframe == signals[i].Timeframe);
            Assert.False(own.Supersedes(seen) && seen != own);
        }

        var hash = await (await DbAsync()).HashGetAllAsync("kyperian:mtf:" + symbol);
        Assert.Equal(timeframes.Select(t => Timeframe.Parse(t).Label).Order(), hash.Select(h => h.Name.ToString()).Order());
    }

    [Fact]
    public async Task An_older_signal_never_replaces_a_newer_one_and_ties_go_to_the_greater_id()
    {
        var symbol = "OLD" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var now = DateTimeOffset.UtcNow;
        var newer = TestData.Signal(symbol, "60", receivedAt: now, id: "sig_b");
        var older = TestData.Signal(symbol, "60", SignalAction.Sell, receivedAt: now.AddSeconds(-30), id: "sig_c");
        var tie = TestData.Signal(symbol, "60", SignalAction.Sell, receivedAt: now, id: "sig_a");

        await Market.RecordAsync(newer, default);
        Assert.Equal("sig_b", Assert.Single(await Market.RecordAsync(older, default)).SignalId);
        Assert.Equal("sig_b", Assert.Single(await Market.RecordAsync(tie, default)).SignalId);

        var alertTimed = TestData.Signal(symbol, "60", receivedAt: now.AddSeconds(-60), alertTime: now.AddSeconds(1), id: "sig_0");
        Assert.Equal("sig_0", Assert.Single(await Market.RecordAsync(alertTimed, default)).SignalId);
    }

    [Fact]
    public async Task Cooldown_keeps_the_latest_execute_and_expires_with_it()
    {
        var symbol = Symbol.FromTrusted("CD" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant());
        Assert.Null(await Market.GetLastExecuteAsync(symbol, default));

        var at = DateTimeOffset.UtcNow;
        await Market.SetLastExecuteAsync(symbol, at, TimeSpan.FromSeconds(60), default);
        Assert.Equal(at, await Market.GetLastExecuteAsync(symbol, default));

        await Market.SetLastExecuteAsync(symbol, at.AddSeconds(-10), TimeSpan.FromSeconds(60), default);
        Assert.Equal(at, await Market.GetLastExecuteAsync(symbol, default));

        var ttl = await (await DbAsync()).KeyTimeToLiveAsync("kyperian:cooldown:" + symbol.Value);
        Assert.InRange(ttl!.Value.TotalSeconds, 55, 60);

        var expired = Symbol.FromTrusted(symbol.Value + "X");
        await Market.SetLastExecuteAsync(expired, at.AddSeconds(-120), TimeSpan.FromSeconds(60), default);
        Assert.Null(await Market.GetLastExecuteAsync(expired, default));
    }

    [Fact]
    public async Task Health_check_reports_ping_latency()
    {
        var check = ActivatorUtilities.CreateInstance<RedisHealthCheck>(_services);
        var result = await check.CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("state", check, HealthStatus.Degraded, null),
        });
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.StartsWith("PING", result.Description, StringComparison.Ordinal);
        Assert.Matches(@", \d+\.\d ms$", result.Description);
    }
}
