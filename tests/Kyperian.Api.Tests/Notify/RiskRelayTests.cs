using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Infrastructure.Notify;
using Kyperian.Api.Tests.Embedded;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Tests.Notify;

/// <summary>
/// The relay from the risk event log to the outbox, on a real database file: every risk event of the last hour is
/// enqueued once per destination that takes it, whoever recorded it, and again after a restart adds nothing.
/// </summary>
public sealed class RiskRelayTests : IAsyncDisposable
{
    private readonly EmbeddedTestDatabase _database = new();
    private readonly List<ServiceProvider> _providers = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Each_risk_event_is_enqueued_once_for_each_destination_that_takes_it_also_after_a_restart()
    {
        var now = _database.Time.GetUtcNow();
        var warning = Event(RiskEventKind.Warning, RiskLimit.DailyLoss, now.AddMinutes(-20), "risk_daily_day-warning");
        var halt = Event(RiskEventKind.Halt, RiskLimit.KillSwitch, now.AddMinutes(-5), "risk_halt");
        var stale = Event(RiskEventKind.Breach, RiskLimit.TotalLoss, now - RiskEventRelay.Lookback - TimeSpan.FromMinutes(1), "risk_total_old");
        foreach (var riskEvent in new[] { stale, warning, halt })
        {
            Assert.True(await _database.Get<IRiskEventLog>().TryAddAsync(riskEvent, default));
        }

        // Slack takes every default event; the webhook takes halts only; Discord no risk event at all.
        var settings = new Dictionary<string, string?>
        {
            ["Kyperian:Notify:Slack:WebhookUrl"] = "https://hooks.slack.com/services/T0/B0/relaytest",
            ["Kyperian:Notify:Webhooks:0:Url"] = "https://receiver.example/hook",
            ["Kyperian:Notify:Webhooks:0:Secret"] = "whsec-relay-test-0123456789abcdef",
            ["Kyperian:Notify:Webhooks:0:Events"] = "risk.halt",
            ["Kyperian:Notify:Discord:WebhookUrl"] = "https://discord.com/api/webhooks/1/relaytest",
            ["Kyperian:Notify:Discord:Events"] = "decision.execute",
        };

        Assert.Equal(2, await Relay(settings).RelayAsync(default));

        var pending = await Outbox.ListAsync(DeliveryStatus.Pending, 20, default);
        Assert.Equal(
            ["risk.halt.slack", "risk.halt.webhook-0", "risk.warning.slack"],
            pending.Select(d => $"{d.EventType}.{d.Destination}").Order(StringComparer.Ordinal));
        var haltId = NotificationEvent.IdFor(NotificationEventType.RiskHalt, halt.EventId);
        Assert.All(pending.Where(d => d.EventType == "risk.halt"), d => Assert.Equal(haltId, d.EventId));
        Assert.Contains("An operator halted entries: news.", pending.First(d => d.EventType == "risk.halt").Payload, StringComparison.Ordinal);

        // One relay reads once; after a restart a new one reads the same hour again, and the outbox keeps what it had.
        var relay = Relay(settings);
        Assert.Equal(2, await relay.RelayAsync(default));
        Assert.Equal(0, await relay.RelayAsync(default));
        await _database.RestartAsync();
        var restarted = Relay(settings);
        Assert.Equal(2, await restarted.RelayAsync(default));
        Assert.Equal(3, (await Outbox.ListAsync(DeliveryStatus.Pending, 20, default)).Count);

        // A later event is told on the next read.
        var resume = Event(RiskEventKind.Resume, RiskLimit.KillSwitch, now, "risk_resume");
        Assert.True(await _database.Get<IRiskEventLog>().TryAddAsync(resume, default));
        Assert.Equal(1, await restarted.RelayAsync(default));
        Assert.Equal(4, (await Outbox.ListAsync(DeliveryStatus.Pending, 20, default)).Count);
    }

    [Fact]
    public async Task No_destination_takes_a_risk_event_so_the_relay_enqueues_nothing()
    {
        Assert.True(await _database.Get<IRiskEventLog>().TryAddAsync(Event(RiskEventKind.Halt, RiskLimit.KillSwitch, _database.Time.GetUtcNow(), "risk_halt"), default));

        var relay = Relay(new Dictionary<string, string?>
        {
            ["Kyperian:Notify:Events"] = "decision.execute",
            ["Kyperian:Notify:Slack:WebhookUrl"] = "https://hooks.slack.com/services/T0/B0/relaytest",
        });

        Assert.Equal(1, await relay.RelayAsync(default));
        Assert.Empty(await Outbox.ListAsync(DeliveryStatus.Pending, 20, default));
    }

    private INotificationOutbox Outbox => _database.Get<INotificationOutbox>();

    private static RiskEvent Event(RiskEventKind kind, RiskLimit limit, DateTimeOffset at, string id) => new()
    {
        EventId = id,
        Kind = kind,
        Limit = limit,
        At = at,
        Day = RiskState.DayOf(at),
        Text = kind == RiskEventKind.Halt ? "An operator halted entries: news." : $"{kind} of {limit}.",
        ObservedPct = limit == RiskLimit.KillSwitch ? null : 4.2,
        ThresholdPct = limit == RiskLimit.KillSwitch ? null : 4,
    };

    /// <summary>A relay as the engine builds it, over this database's risk log and outbox.</summary>
    private RiskEventRelay Relay(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(_database.Time);
        services.AddSingleton(_database.Get<IRiskEventLog>());
        services.AddSingleton(Outbox);
        services.AddKyperianNotifications(configuration, runsEngine: false);
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return new RiskEventRelay(
            provider.GetRequiredService<IRiskEventLog>(),
            provider.GetRequiredService<NotificationPublisher>(),
            provider.GetRequiredService<IOptions<NotifyOptions>>(),
            _database.Time,
            NullLogger<RiskEventRelay>.Instance);
    }
}
