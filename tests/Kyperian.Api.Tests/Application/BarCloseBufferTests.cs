using Kyperian.Api.Application.Processing;
using Kyperian.Api.Tests.Adapters;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Time.Testing;

namespace Kyperian.Api.Tests.Application;

/// <summary>The settle window on a test clock: what is decided when, with whom, and once.</summary>
public sealed class BarCloseBufferTests
{
    private static readonly DateTimeOffset Close = new(2026, 1, 15, 4, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider _clock = new(Close.AddSeconds(1));
    private readonly List<IReadOnlyList<Signal>> _decided = [];

    private static Signal At4h(string timeframe, string? id = null) =>
        TestData.Signal("BTCUSDT", timeframe, alertTime: Close.AddSeconds(1), receivedAt: Close.AddSeconds(1), id: id);

    /// <summary>The plan of a 4h close for a symbol with 4h, 1h and 15m alerts: each awaits the other two.</summary>
    private static BurstPlan PlanAt4hClose(Signal signal) =>
        new(Close, [.. new[] { "15", "60", "240" }.Select(Timeframe.Parse).Where(t => t != signal.Timeframe)]);

    private Task<Decision> Decide(IReadOnlyList<Signal> members)
    {
        lock (_decided)
        {
            _decided.Add(members);
        }

        return Task.FromResult(TestData.Decision(members[0], _clock.GetUtcNow(), Verdict.Execute, [.. members.Select(m => m.SignalId)]));
    }

    [Fact]
    public async Task An_isolated_signal_is_decided_at_once_and_alone()
    {
        using var buffer = new BarCloseBuffer(_clock);
        var signal = At4h("15");

        var decision = await buffer.SubmitAsync(signal, new BurstPlan(null, []), Settle, Decide, default);

        Assert.Equal([signal.SignalId], decision.MemberSignalIds);
        Assert.Equal(0, buffer.OpenBursts);
    }

    [Fact]
    public async Task A_burst_is_decided_once_as_soon_as_every_awaited_timeframe_arrived()
    {
        using var buffer = new BarCloseBuffer(_clock);
        var (h4, m15, h1) = (At4h("240"), At4h("15"), At4h("60"));

        var first = buffer.SubmitAsync(h4, PlanAt4hClose(h4), Settle, Decide, default);
        var second = buffer.SubmitAsync(m15, PlanAt4hClose(m15), Settle, Decide, default);
        Assert.False(first.IsCompleted);
        Assert.Equal(1, buffer.OpenBursts);
        var third = buffer.SubmitAsync(h1, PlanAt4hClose(h1), Settle, Decide, default);

        var decisions = await Task.WhenAll(first, second, third);

        var members = Assert.Single(_decided);
        Assert.Equal([h4, m15, h1], members);
        Assert.Single(decisions.Distinct());
        Assert.Equal(0, buffer.OpenBursts);
    }

    [Fact]
    public async Task An_incomplete_burst_is_decided_when_the_settle_window_lapses_and_not_before()
    {
        using var buffer = new BarCloseBuffer(_clock);
        var (h4, m15) = (At4h("240"), At4h("15"));
        var first = buffer.SubmitAsync(h4, PlanAt4hClose(h4), Settle, Decide, default);
        var second = buffer.SubmitAsync(m15, PlanAt4hClose(m15), Settle, Decide, default);

        _clock.Advance(Settle - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_decided);
        Assert.False(first.IsCompleted);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var decision = await first;

        Assert.Same(decision, await second);
        Assert.Equal([h4, m15], Assert.Single(_decided));
    }

    [Fact]
    public async Task A_redelivered_member_waits_with_its_burst_and_is_not_a_member_twice()
    {
        using var buffer = new BarCloseBuffer(_clock);
        var h4 = At4h("240");
        var first = buffer.SubmitAsync(h4, PlanAt4hClose(h4), Settle, Decide, default);
        var again = buffer.SubmitAsync(h4, PlanAt4hClose(h4), Settle, Decide, default);

        _clock.Advance(Settle);

        Assert.Same(await first, await again);
        Assert.Equal([h4], Assert.Single(_decided));
    }

    [Fact]
    public async Task Every_member_learns_that_deciding_failed()
    {
        using var buffer = new BarCloseBuffer(_clock);
        var (h4, m15, h1) = (At4h("240"), At4h("15"), At4h("60"));
        static Task<Decision> Fail(IReadOnlyList<Signal> members) => Task.FromException<Decision>(new TimeoutException("store down"));

        var waits = new[]
        {
            buffer.SubmitAsync(h4, PlanAt4hClose(h4), Settle, Fail, default),
            buffer.SubmitAsync(m15, PlanAt4hClose(m15), Settle, Fail, default),
            buffer.SubmitAsync(h1, PlanAt4hClose(h1), Settle, Fail, default),
        };

        foreach (var wait in waits)
        {
            await Assert.ThrowsAsync<TimeoutException>(() => wait);
        }
    }

    [Fact]
    public async Task A_member_that_stops_waiting_does_not_stop_the_burst()
    {
        using var buffer = new BarCloseBuffer(_clock);
        using var gaveUp = new CancellationTokenSource();
        var (h4, m15) = (At4h("240"), At4h("15"));
        var impatient = buffer.SubmitAsync(h4, PlanAt4hClose(h4), Settle, Decide, gaveUp.Token);
        var patient = buffer.SubmitAsync(m15, PlanAt4hClose(m15), Settle, Decide, default);

        await gaveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        _clock.Advance(Settle);

        Assert.Equal([h4.SignalId, m15.SignalId], (await patient).MemberSignalIds);
    }

    [Fact]
    public async Task Stopping_the_engine_gives_up_the_open_bursts_for_redelivery()
    {
        var buffer = new BarCloseBuffer(_clock);
        var h4 = At4h("240");
        var waiting = buffer.SubmitAsync(h4, PlanAt4hClose(h4), Settle, Decide, default);

        buffer.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        _clock.Advance(Settle);
        Assert.Empty(_decided);
        Assert.Throws<ObjectDisposedException>(() => { _ = buffer.SubmitAsync(h4, PlanAt4hClose(h4), Settle, Decide, default); });
    }

    [Fact]
    public async Task Bursts_of_different_symbols_do_not_mix()
    {
        using var buffer = new BarCloseBuffer(_clock);
        var btc = At4h("240");
        var eth = TestData.Signal("ETHUSDT", "240", alertTime: Close.AddSeconds(1), receivedAt: Close.AddSeconds(1));
        var one = buffer.SubmitAsync(btc, PlanAt4hClose(btc), Settle, Decide, default);
        var other = buffer.SubmitAsync(eth, PlanAt4hClose(eth), Settle, Decide, default);

        Assert.Equal(2, buffer.OpenBursts);
        _clock.Advance(Settle);

        Assert.Equal([btc.SignalId], (await one).MemberSignalIds);
        Assert.Equal([eth.SignalId], (await other).MemberSignalIds);
    }
}
