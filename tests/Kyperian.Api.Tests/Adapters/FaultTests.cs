using System.Collections.Concurrent;
using System.Diagnostics;
using Kyperian.Api.Application.Intake;
using Kyperian.Api.Application.Observability;
using Kyperian.Api.Infrastructure.DynamoDb;
using Kyperian.Api.Infrastructure.Redis;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;

namespace Kyperian.Api.Tests.Adapters;

/// <summary>
/// Servers killed mid-run under the real intake (dedupe → store → bus), each phase bounded in time, counting that no
/// accepted signal is lost. Each test owns the servers it kills.
/// </summary>
public sealed class FaultTests
{
    private static readonly TimeSpan OperationBound = TimeSpan.FromSeconds(2.5);

    [Fact]
    public async Task Redis_stopped_mid_run_dedupe_falls_back_to_the_store_and_loses_nothing()
    {
        await using var redis = new RedisServer();
        await using var dynalite = new DynaliteServer();
        await Task.WhenAll(redis.StartAsync(), dynalite.StartAsync());
        var bus = new RecordingBus();
        await using var services = await IntakeServicesAsync(dynalite, bus, redis);
        var intake = services.GetRequiredService<SignalIntake>();
        var store = services.GetRequiredService<ISignalStore>();
        var ledger = new Ledger();

        // Up: new alerts accepted, resends recognised by Redis.
        await ledger.RunAsync(intake, Alerts(40), resend: true);
        Assert.Equal(40, ledger.Accepted.Count);

        // Down: alerts still accepted in bounded time; resends, old and new, caught by the store's conditional put.
        await redis.StopAsync();
        var before = ledger.Accepted.ToList();
        await ledger.RunAsync(intake, Alerts(40), resend: true);
        foreach (var (signal, identity) in before.Take(15))
        {
            Assert.Equal(IntakeStatus.Duplicate, (await intake.AcceptAsync(signal with { ReceivedAt = DateTimeOffset.UtcNow }, identity, default)).Status);
        }

        Assert.Equal(80, ledger.Accepted.Count);
        Assert.True(ledger.Slowest < OperationBound, $"slowest intake took {ledger.Slowest}");

        // Back: Redis takes the claims again once its circuit lets a call through.
        await redis.StartAsync();
        var dedupe = services.GetRequiredService<IDedupeStore>();
        var probe = TestData.UniqueId();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                Assert.True(await dedupe.TryClaimAsync(probe, TimeSpan.FromSeconds(60), default));
                break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }

        await ledger.RunAsync(intake, Alerts(20), resend: true);
        Assert.Equal(100, ledger.Accepted.Count);
        Assert.Equal(100, ledger.Duplicates);

        // Zero lost: every accepted signal is in the store and went to the bus.
        foreach (var (signal, _) in ledger.Accepted)
        {
            Assert.NotNull(await store.GetAsync(signal.SignalId, default));
        }

        Assert.Equal(ledger.Accepted.Select(a => a.Signal.SignalId).Order(), bus.Signals.Keys.Order());
    }

    [Fact]
    public async Task Dynalite_stopped_and_restarted_the_circuit_opens_fails_fast_and_the_engine_stores_what_the_bus_took()
    {
        await using var dynalite = new DynaliteServer();
        await dynalite.StartAsync();
        var bus = new RecordingBus();
        await using var services = await IntakeServicesAsync(dynalite, bus, redis: null);
        var intake = services.GetRequiredService<SignalIntake>();
        var store = services.GetRequiredService<ISignalStore>();
        var resilience = services.GetRequiredService<ResiliencePipelines>();
        var ledger = new Ledger();

        await ledger.RunAsync(intake, Alerts(30), resend: false);
        Assert.Equal(30, ledger.Accepted.Count);

        // Down: the bus still takes them, so they are accepted; the circuit opens and then fails calls at once.
        await dynalite.StopAsync();
        var stored = Stopwatch.StartNew();
        await ledger.RunAsync(intake, Alerts(20), resend: false);
        Assert.Equal(50, ledger.Accepted.Count);
        Assert.True(ledger.Slowest < OperationBound, $"slowest intake took {ledger.Slowest}");
        Assert.Equal(CircuitState.Open, resilience.CircuitState(Backend.DynamoDb));
        var fast = Stopwatch.StartNew();
        await Assert.ThrowsAsync<BrokenCircuitException>(() => store.GetAsync("sig_any", default));
        Assert.True(fast.Elapsed < TimeSpan.FromMilliseconds(200), $"an open circuit took {fast.Elapsed}");

        // Neither took it: 503, nothing half-written, the claim given back.
        bus.Failing = true;
        var refused = Alerts(5).ToList();
        foreach (var (signal, identity) in refused)
        {
            Assert.Equal(IntakeStatus.Unavailable, (await intake.AcceptAsync(signal, identity, default)).Status);
            Assert.False(await services.GetRequiredService<IDedupeStore>().IsClaimedAsync(signal.SignalId, default));
        }

        bus.Failing = false;

        // Back (same port, same data): once the breaker lets a call through, the store works again.
        await dynalite.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await store.GetAsync("sig_probe", default);
                break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }

        // The engine stores what arrived on the bus but not in the store (DecisionProcessor's rule).
        var storedLate = 0;
        foreach (var signal in bus.Signals.Values)
        {
            if (await store.GetAsync(signal.SignalId, default) is null && await store.TryAddAsync(signal, PublishState.Published, default))
            {
                storedLate++;
            }
        }

        Assert.Equal(20, storedLate);
        foreach (var (signal, _) in ledger.Accepted)
        {
            Assert.NotNull(await store.GetAsync(signal.SignalId, default));
        }

        foreach (var (signal, _) in refused)
        {
            Assert.Null(await store.GetAsync(signal.SignalId, default));
        }

        Assert.True(stored.Elapsed < TimeSpan.FromSeconds(30));
    }

    private static IEnumerable<(Signal, SignalIdentity)> Alerts(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var alertTime = DateTimeOffset.UtcNow.AddSeconds(-i);
            var alertId = Guid.NewGuid().ToString("N");
            var identity = SignalIdentity.Compute(
                "tradingview", Symbol.FromTrusted("BTCUSDT"), "BINANCE", Timeframe.Parse("15"), SignalAction.Buy, 64000m + i,
                alertTime, alertId, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(300));
            yield return (TestData.Signal(id: identity.Id, alertTime: alertTime, price: 64000m + i) with { AlertId = alertId }, identity);
        }
    }

    private static async Task<ServiceProvider> IntakeServicesAsync(DynaliteServer dynalite, RecordingBus bus, RedisServer? redis)
    {
        var prefix = "f" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
        {
            ["Kyperian:DynamoDb:ServiceUrl"] = dynalite.ServiceUrl,
            ["Kyperian:DynamoDb:Region"] = "us-east-1",
            ["Kyperian:DynamoDb:SignalsTable"] = prefix + "-signals",
            ["Kyperian:DynamoDb:DecisionsTable"] = prefix + "-decisions",
            ["Kyperian:DynamoDb:CreateTables"] = "true",
            ["Kyperian:Redis:Port"] = redis?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Kyperian:Redis:ConnectTimeoutMs"] = "500",
            ["Kyperian:Redis:CommandTimeoutMs"] = "300",
        }
        .With(AdapterTestHost.FastResilience("DynamoDb"))
        .With(AdapterTestHost.FastResilience("Redis"));
        var services = AdapterTestHost.Build(settings, (s, c) =>
        {
            s.AddMetrics();
            s.AddSingleton(TimeProvider.System);
            s.AddOptions<WebhookOptions>();
            s.AddSingleton<KyperianMetrics>();
            s.AddSingleton<SignalIntake>();
            s.AddSingleton<IEventBus>(bus);
            s.AddDynamoDbStores(c);
            if (redis is null)
            {
                s.AddSingleton<IDedupeStore>(sp => new MemoryDedupeStore(TimeProvider.System));
            }
            else
            {
                s.AddRedisState(c);
            }
        });
        var client = services.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>();
        await Kyperian.Api.Infrastructure.DynamoDb.DynamoDbTables.EnsureAsync(
            client, services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Kyperian.Api.Infrastructure.DynamoDb.DynamoDbOptions>>().Value, default);
        return services;
    }

    /// <summary>What the intake answered, and how long it took at worst.</summary>
    private sealed class Ledger
    {
        public List<(Signal Signal, SignalIdentity Identity)> Accepted { get; } = [];

        public int Duplicates { get; private set; }

        public TimeSpan Slowest { get; private set; }

        public async Task RunAsync(SignalIntake intake, IEnumerable<(Signal, SignalIdentity)> alerts, bool resend)
        {
            foreach (var (signal, identity) in alerts)
            {
                var result = await TimedAsync(() => intake.AcceptAsync(signal, identity, default));
                Assert.Equal(IntakeStatus.Accepted, result.Status);
                Accepted.Add((signal, identity));
                if (resend)
                {
                    // TradingView's resend of the identical body, 5 s later as far as we can tell.
                    var again = await TimedAsync(() => intake.AcceptAsync(signal with { ReceivedAt = DateTimeOffset.UtcNow }, identity, default));
                    Assert.Equal(IntakeStatus.Duplicate, again.Status);
                }
            }
        }

        private async Task<IntakeResult> TimedAsync(Func<Task<IntakeResult>> call)
        {
            var watch = Stopwatch.StartNew();
            var result = await call();
            Slowest = watch.Elapsed > Slowest ? watch.Elapsed : Slowest;
            if (result.Status == IntakeStatus.Duplicate)
            {
                Duplicates++;
            }

            return result;
        }
    }

    /// <summary>A bus that takes everything (or nothing, when told to fail).</summary>
    private sealed class RecordingBus : IEventBus
    {
        public ConcurrentDictionary<string, Signal> Signals { get; } = new(StringComparer.Ordinal);

        public volatile bool Failing;

        public Task PublishSignalAsync(Signal signal, CancellationToken cancellationToken)
        {
            if (Failing)
            {
                throw new InvalidOperationException("bus down");
            }

            Signals[signal.SignalId] = signal;
            return Task.CompletedTask;
        }

        public Task PublishDecisionAsync(Decision decision, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
