using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Amazon.Runtime;
using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Infrastructure.Aws;
using Kyperian.Api.Infrastructure.Notify;
using Kyperian.Api.Tests.Http.Infrastructure;
using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Kyperian.Api.Tests.Notify;

/// <summary>
/// Notifications wired the way the app wires them, over an in-memory outbox, on a fake clock that only the test moves:
/// retries, Retry-After and rate limits happen when the test says so, never by waiting.
/// </summary>
public sealed class NotifyHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IHostedService> _workers;

    private readonly MeterListener _meters = new();

    private NotifyHarness(ServiceProvider services, FakeTimeProvider clock, InMemoryOutbox outbox, InMemoryRiskEventLog riskEvents, LogCapture logs)
    {
        Services = services;
        Clock = clock;
        Outbox = outbox;
        RiskEvents = riskEvents;
        Logs = logs;
        _workers = [.. services.GetServices<IHostedService>()];

        // This harness's own instruments only: tests run side by side, each with its meter factory.
        var factory = services.GetRequiredService<IMeterFactory>();
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _meters.Start();
    }

    /// <summary>Every measurement of this harness's metrics: name, value and the Destination tag.</summary>
    public ConcurrentQueue<(string Name, double Value, string? Destination)> Measurements { get; } = new();

    public ServiceProvider Services { get; }

    public FakeTimeProvider Clock { get; }

    public InMemoryOutbox Outbox { get; }

    /// <summary>Where the engine and the API record risk events; the relay reads it every <c>PollIntervalMs</c>.</summary>
    public InMemoryRiskEventLog RiskEvents { get; }

    public LogCapture Logs { get; }

    public NotificationPublisher Publisher => Services.GetRequiredService<NotificationPublisher>();

    /// <summary>Settings every test starts from: attempt timeouts and leases far beyond what a test advances the clock by.</summary>
    public static Dictionary<string, string?> Defaults() => new()
    {
        ["Kyperian:Notify:AttemptTimeoutMs"] = "86400000",
        ["Kyperian:Notify:LeaseSeconds"] = "864000",
        ["Kyperian:Notify:RetryBaseDelayMs"] = "1000",
        ["Kyperian:Notify:RetryMaxDelayMs"] = "8000",
    };

    public static async Task<NotifyHarness> StartAsync(Dictionary<string, string?> settings, bool startWorker = true)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 3, 14, 30, 0, TimeSpan.Zero));
        var outbox = new InMemoryOutbox();
        var riskEvents = new InMemoryRiskEventLog();
        var logs = new LogCapture();
        var all = Defaults();
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddSingleton<TimeProvider>(clock);
        services.AddMetrics();
        services.AddSingleton<INotificationOutbox>(outbox);
        services.AddSingleton<IRiskEventLog>(riskEvents);
        services.AddSingleton(new AwsCredentialsSource(new BasicAWSCredentials(SigV4Verifier.AccessKey, SigV4Verifier.SecretKey)));
        services.AddKyperianNotifications(configuration, runsEngine: startWorker);
        // Not validated on build: the decision side (DecisionNotifications) needs stores this harness has none of.
        var provider = services.BuildServiceProvider();

        // As the host would: settings are checked before anything runs.
        _ = provider.GetRequiredService<IOptions<NotifyOptions>>().Value;
        var harness = new NotifyHarness(provider, clock, outbox, riskEvents, logs);
        foreach (var worker in harness._workers)
        {
            await worker.StartAsync(harness._stop.Token);
        }

        return harness;
    }

    public Task PublishAsync(NotificationEvent notification, string? rawAlert = null) =>
        Publisher.PublishAsync(notification, rawAlert, CancellationToken.None);

    /// <summary>
    /// Waits for <paramref name="condition"/>, moving the fake clock by <paramref name="step"/> between looks when given.
    /// The real-time limit only keeps a broken test from hanging; it is no assertion on speed.
    /// </summary>
    public async Task UntilAsync(Func<bool> condition, string what, TimeSpan? step = null)
    {
        var giveUp = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > giveUp)
            {
                throw new TimeoutException($"Still waiting for {what}. Deliveries: {string.Join("; ", Outbox.All.Select(d => $"{d.DeliveryId} {d.Status} x{d.Attempts} {d.LastError}"))}");
            }

            if (step is { } advance)
            {
                Clock.Advance(advance);
            }

            await Task.Delay(5);
        }
    }

    private void Record(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? destination = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "Destination")
            {
                destination = tag.Value as string;
            }
        }

        Measurements.Enqueue((name, value, destination));
    }

    public async ValueTask DisposeAsync()
    {
        _meters.Dispose();
        await _stop.CancelAsync();
        foreach (var worker in _workers)
        {
            await worker.StopAsync(CancellationToken.None);
        }

        await Services.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>Decisions and their events for notification tests.</summary>
public static class NotifyData
{
    public static Signal Signal(
        string symbol = "BTCUSDT",
        decimal price = 64250.5m,
        string id = "sig_0123456789abcdef01234567",
        SignalAction action = SignalAction.Buy,
        int minutes = 15) => new()
    {
        SignalId = id,
        Symbol = Symbol.FromTrusted(symbol),
        Exchange = "BINANCE",
        Action = action,
        Timeframe = Timeframe.FromMinutes(minutes),
        Price = price,
        Confidence = 80,
        Source = "tradingview",
        ReceivedAt = new DateTimeOffset(2025, 3, 3, 14, 30, 0, TimeSpan.Zero),
    };

    /// <summary>
    /// An executed decision as engine v2 stores it, built by hand so that its numbers are round: an entry from flat,
    /// an exit of a long opened at 63000, a reversal of a short opened at 65000.
    /// </summary>
    public static Decision Execute(Signal signal, TradeAction action = TradeAction.EnterLong, double sizePct = 2.5)
    {
        var decisionId = SignalIdentity.DecisionIdFor(signal.SignalId);
        var at = signal.ReceivedAt.AddMilliseconds(3);
        var flat = Position.FlatOf(signal.Symbol);
        var (before, direction) = action switch
        {
            TradeAction.Exit => (Position.Open(signal.Symbol, 1, 2, 63000m, at.AddHours(-5), "dec_opened"), 0),
            TradeAction.Reverse => (Position.Open(signal.Symbol, -1, 2, 65000m, at.AddHours(-5), "dec_opened"), 1),
            TradeAction.EnterShort => (flat, -1),
            _ => (flat, 1),
        };
        var after = direction == 0 ? before.ClosedBy(decisionId) : Position.Open(signal.Symbol, direction, sizePct, signal.Price, at, decisionId);
        var closed = before.IsFlat ? null : before.Close(signal.Price, at, decisionId);
        var sign = direction == 0 ? 1 : direction;
        return new Decision
        {
            DecisionId = decisionId,
            SignalId = signal.SignalId,
            Symbol = signal.Symbol,
            Timeframe = signal.Timeframe,
            Action = action,
            Verdict = Verdict.Execute,
            Score = 0.8234 * sign,
            Alignment = 0.86,
            PositionSizePct = action == TradeAction.Exit ? 0 : sizePct,
            Reasons = [],
            Inputs =
            [
                new TimeframeInput(Timeframe.FromMinutes(15), sign, 80, 10, 4.9, true, signal.SignalId),
                new TimeframeInput(Timeframe.FromMinutes(60), sign, 70, 300, 6.9, true, "sig_h1"),
                new TimeframeInput(Timeframe.FromMinutes(240), sign, 75, 900, 8.9, true, "sig_h4"),
                new TimeframeInput(Timeframe.FromMinutes(1440), -sign, 60, 3000, 11.5, true, "sig_d1"),
            ],
            MemberSignalIds = [signal.SignalId],
            Price = signal.Price,
            Confidence = signal.Confidence,
            PositionBefore = before,
            PositionAfter = after,
            ClosedTrade = closed,
            DecidedAt = at,
            LatencyMs = 3,
        };
    }

    /// <summary>A veto as a decision stored before the engine wrote explanations: its reason codes only.</summary>
    public static Decision Veto(Signal signal, params VetoReason[] reasons)
    {
        var execute = Execute(signal);
        return execute with
        {
            Verdict = Verdict.Veto,
            PositionSizePct = 0,
            Score = 0.12,
            Reasons = reasons,
            PositionAfter = execute.PositionBefore,
            ClosedTrade = null,
        };
    }

    /// <summary>
    /// What the real engine (default settings) decides on <paramref name="signal"/> with <paramref name="position"/>
    /// held and the symbol's other timeframes as given, each sent a minute before it.
    /// </summary>
    public static Decision Decide(Signal signal, Position? position = null, params (int Minutes, SignalAction Action, int Confidence)[] others)
    {
        var state = others
            .Select(o => new TimeframeSignal(Timeframe.FromMinutes(o.Minutes), o.Action, o.Confidence, signal.ObservedAt.AddMinutes(-1), $"sig_tf{o.Minutes}"))
            .Append(TimeframeSignal.From(signal))
            .ToList();
        var engine = new DecisionEngine(new EngineSettings(), new FakeTimeProvider(signal.ReceivedAt.AddMilliseconds(3)));
        return engine.Decide(DecisionInput.ForBurst(
            [signal], state, RiskState.Empty.On(RiskState.DayOf(signal.ReceivedAt)), null, position ?? Position.FlatOf(signal.Symbol)));
    }

    public static NotificationEvent ExecuteEvent(string symbol = "BTCUSDT", string id = "sig_0123456789abcdef01234567")
    {
        var signal = Signal(symbol, id: id);
        return NotificationEvents.ForDecision(Execute(signal), signal);
    }
}
