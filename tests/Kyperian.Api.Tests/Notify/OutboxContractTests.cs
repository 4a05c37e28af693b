using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Infrastructure.DynamoDb;
using Kyperian.Api.Infrastructure.Notify;
using Kyperian.Api.Tests.Adapters;
using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Tests.Notify;

/// <summary>What every outbox must do, run against each one: enqueue once, claim with a lease, record, list, retry.</summary>
public abstract class OutboxContractTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 3, 14, 30, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    protected abstract INotificationOutbox Outbox { get; }

    [Fact]
    public async Task Enqueuing_twice_keeps_the_first()
    {
        var delivery = Delivery("evt_a", "slack");
        await Outbox.EnqueueAsync([delivery], default);
        await Outbox.EnqueueAsync([delivery with { Payload = "{\"changed\":true}" }], default);

        var stored = await Outbox.GetAsync(delivery.DeliveryId, default);
        Assert.Equal(delivery, stored);
        Assert.Null(await Outbox.GetAsync("evt_missing.slack", default));
    }

    [Fact]
    public async Task A_claim_takes_due_deliveries_of_one_destination_oldest_first_and_holds_them()
    {
        await Outbox.EnqueueAsync(
        [
            Delivery("evt_b", "slack", created: T0.AddSeconds(2)),
            Delivery("evt_a", "slack", created: T0.AddSeconds(1)),
            Delivery("evt_c", "telegram"),
            Delivery("evt_later", "slack", due: T0.AddMinutes(5)),
        ],
        default);

        var first = await Outbox.ClaimDueAsync("slack", T0.AddSeconds(10), Lease, 1, default);
        Assert.Equal(["evt_a.slack"], first.Select(d => d.DeliveryId));
        Assert.Equal(T0.AddSeconds(70), first[0].ClaimedUntil);

        var rest = await Outbox.ClaimDueAsync("slack", T0.AddSeconds(10), Lease, 10, default);
        Assert.Equal(["evt_b.slack"], rest.Select(d => d.DeliveryId));
        Assert.Empty(await Outbox.ClaimDueAsync("slack", T0.AddSeconds(11), Lease, 10, default));

        // A worker that died leaves its claim to lapse; then another takes the delivery over.
        var takenOver = await Outbox.ClaimDueAsync("slack", T0.AddSeconds(71), Lease, 10, default);
        Assert.Equal(["evt_a.slack", "evt_b.slack"], takenOver.Select(d => d.DeliveryId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_retrying_delivery_is_due_again_when_its_next_attempt_comes()
    {
        var delivery = Delivery("evt_r", "webhook-0");
        await Outbox.EnqueueAsync([delivery], default);
        Assert.Single(await Outbox.ClaimDueAsync("webhook-0", T0, Lease, 1, default));

        await Outbox.MarkRetryingAsync(delivery.DeliveryId, 1, T0, "HTTP 500", T0.AddSeconds(4), T0.AddSeconds(64), default);
        var stored = (await Outbox.GetAsync(delivery.DeliveryId, default))!;
        Assert.Equal((1, "HTTP 500", T0.AddSeconds(4), (DateTimeOffset?)T0), (stored.Attempts, stored.LastError, stored.NextAttemptAt, stored.LastAttemptAt));

        // Held while the worker that planned the retry lives; due for another once its claim lapses.
        Assert.Empty(await Outbox.ClaimDueAsync("webhook-0", T0.AddSeconds(30), Lease, 1, default));
        Assert.Single(await Outbox.ClaimDueAsync("webhook-0", T0.AddSeconds(64), Lease, 1, default));
    }

    [Fact]
    public async Task Sent_and_failed_deliveries_leave_the_queue_and_are_listed_newest_first()
    {
        var sent = Delivery("evt_s", "slack") with { RawAlert = "{\"ticker\":\"BTCUSDT\"}" };
        var failedFirst = Delivery("evt_f1", "telegram");
        var failedLast = Delivery("evt_f2", "telegram");
        var pending = Delivery("evt_p", "telegram");
        await Outbox.EnqueueAsync([sent, failedFirst, failedLast, pending], default);

        await Outbox.MarkSentAsync(sent.DeliveryId, 2, T0.AddSeconds(5), default);
        await Outbox.MarkFailedAsync(failedFirst.DeliveryId, 8, T0.AddSeconds(6), "gave up after 8 attempts: HTTP 502", default);
        await Outbox.MarkFailedAsync(failedLast.DeliveryId, 1, T0.AddSeconds(7), "HTTP 401: Unauthorized", default);

        var stored = (await Outbox.GetAsync(sent.DeliveryId, default))!;
        Assert.Equal((DeliveryStatus.Sent, 2, (DateTimeOffset?)T0.AddSeconds(5)), (stored.Status, stored.Attempts, stored.SentAt));
        Assert.Null(stored.RawAlert);
        Assert.Empty(await Outbox.ClaimDueAsync("slack", T0.AddHours(1), Lease, 10, default));
        Assert.Equal(["evt_p.telegram"], (await Outbox.ClaimDueAsync("telegram", T0.AddHours(1), Lease, 10, default)).Select(d => d.DeliveryId));

        Assert.Equal(["evt_f2.telegram", "evt_f1.telegram"], (await Outbox.ListAsync(DeliveryStatus.Failed, 10, default)).Select(d => d.DeliveryId));
        Assert.Equal(["evt_s.slack"], (await Outbox.ListAsync(DeliveryStatus.Sent, 10, default)).Select(d => d.DeliveryId));
        Assert.Equal(["evt_p.telegram"], (await Outbox.ListAsync(DeliveryStatus.Pending, 10, default)).Select(d => d.DeliveryId));
        Assert.Single(await Outbox.ListAsync(DeliveryStatus.Failed, 1, default));
    }

    [Fact]
    public async Task Only_a_failed_delivery_can_be_retried_and_it_counts_afresh()
    {
        var failed = Delivery("evt_x", "discord");
        var sent = Delivery("evt_y", "discord");
        await Outbox.EnqueueAsync([failed, sent], default);
        await Outbox.MarkFailedAsync(failed.DeliveryId, 8, T0, "gave up", default);
        await Outbox.MarkSentAsync(sent.DeliveryId, 1, T0, default);

        Assert.True(await Outbox.RetryAsync(failed.DeliveryId, T0.AddMinutes(1), default));
        Assert.False(await Outbox.RetryAsync(sent.DeliveryId, T0.AddMinutes(1), default));
        Assert.False(await Outbox.RetryAsync("evt_none.discord", T0.AddMinutes(1), default));

        var retried = (await Outbox.GetAsync(failed.DeliveryId, default))!;
        Assert.Equal((DeliveryStatus.Pending, 0, T0.AddMinutes(1)), (retried.Status, retried.Attempts, retried.NextAttemptAt));
        Assert.Equal(["evt_x.discord"], (await Outbox.ClaimDueAsync("discord", T0.AddMinutes(1), Lease, 10, default)).Select(d => d.DeliveryId));
        Assert.Empty(await Outbox.ListAsync(DeliveryStatus.Failed, 10, default));
    }

    private static OutboxDelivery Delivery(string eventId, string destination, DateTimeOffset? created = null, DateTimeOffset? due = null) => new()
    {
        DeliveryId = $"{eventId}.{destination}",
        EventId = eventId,
        EventType = "decision.execute",
        Destination = destination,
        Payload = $$"""{"id":"{{eventId}}","type":"decision.execute","message":"m"}""",
        CreatedAt = created ?? T0,
        NextAttemptAt = due ?? created ?? T0,
    };
}

public sealed class InMemoryOutboxContractTests : OutboxContractTests
{
    protected override INotificationOutbox Outbox { get; } = new InMemoryOutbox();
}

/// <summary>The DynamoDB outbox against a real dynalite, on tables of its own.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDbOutboxContractTests(DynaliteServer dynalite) : OutboxContractTests, IAsyncLifetime
{
    private readonly string _prefix = "o" + Guid.NewGuid().ToString("N")[..10];
    private ServiceProvider _services = null!;

    protected override INotificationOutbox Outbox => _services.GetRequiredService<INotificationOutbox>();

    public async Task InitializeAsync()
    {
        _services = AdapterTestHost.Build(
            new Dictionary<string, string?>
            {
                ["Kyperian:DynamoDb:ServiceUrl"] = dynalite.ServiceUrl,
                ["Kyperian:DynamoDb:Region"] = "us-east-1",
                ["Kyperian:DynamoDb:SignalsTable"] = _prefix + "-signals",
                ["Kyperian:DynamoDb:DecisionsTable"] = _prefix + "-decisions",
                ["Kyperian:Notify:Slack:WebhookUrl"] = "https://hooks.slack.com/services/T0/B0/dynamodbcontracttest",
                ["Kyperian:Notify:Webhooks:0:Url"] = "https://bridge.example/hook",
                ["Kyperian:Notify:Webhooks:0:Secret"] = "whsec-dynamodb-contract-0123456789",
                ["Kyperian:Notify:Webhooks:0:Template"] = "{{raw}}",
            },
            (s, c) =>
            {
                s.AddDynamoDbStores(c);
                s.AddSingleton(TimeProvider.System);
                s.AddKyperianNotifications(c, runsEngine: false);
            });
        var client = _services.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>();
        await DynamoDbTables.EnsureAsync(client, _services.GetRequiredService<IOptions<DynamoDbOptions>>().Value, CancellationToken.None);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task A_decision_and_its_deliveries_are_written_in_one_step_and_written_again_after_a_crash_between_them()
    {
        var signals = _services.GetRequiredService<ISignalStore>();
        var decisions = _services.GetRequiredService<IDecisionStore>();
        var notifications = _services.GetRequiredService<Kyperian.Api.Application.Notifications.DecisionNotifications>();
        var signal = NotifyData.Signal(id: "sig_" + Guid.NewGuid().ToString("N")[..24]);
        await signals.TryAddAsync(signal, PublishState.Published, "{\"ticker\":\"BTCUSDT\"}", default);
        var decision = NotifyData.Execute(signal);

        Assert.True(await notifications.TryAddAsync(decision, [signal], default));
        var pending = await Outbox.ListAsync(DeliveryStatus.Pending, 10, default);
        Assert.Equal(["slack", "webhook-0"], pending.Select(d => d.Destination).Order(StringComparer.Ordinal));
        Assert.Equal("{\"ticker\":\"BTCUSDT\"}", pending.Single(d => d.Destination == "webhook-0").RawAlert);
        Assert.Null(await signals.GetRawAlertAsync(signal.SignalId, default));

        // A crash after the decision, before its deliveries: the signal comes back, and they are written then.
        var other = NotifyData.Signal(id: "sig_" + Guid.NewGuid().ToString("N")[..24]);
        var stranded = NotifyData.Execute(other);
        Assert.True(await decisions.TryAddAsync(stranded, default));
        await notifications.EnsureNotifiedAsync(stranded, other, default);
        await notifications.EnsureNotifiedAsync(stranded, other, default);
        Assert.Equal(4, (await Outbox.ListAsync(DeliveryStatus.Pending, 10, default)).Count);
    }

    [Fact]
    public async Task A_risk_event_another_process_recorded_is_enqueued_by_the_engines_relay_once()
    {
        // As on AWS: the function records a halt (it has no destination), the engine's relay reads it back.
        var at = DateTimeOffset.UtcNow;
        var halt = new RiskEvent
        {
            EventId = "risk_" + Guid.NewGuid().ToString("N"),
            Kind = RiskEventKind.Halt,
            Limit = RiskLimit.KillSwitch,
            At = at,
            Day = RiskState.DayOf(at),
            Text = "An operator halted entries: news.",
        };
        Assert.True(await _services.GetRequiredService<IRiskEventLog>().TryAddAsync(halt, default));

        Assert.Equal(1, await ActivatorUtilities.CreateInstance<RiskEventRelay>(_services).RelayAsync(default));
        Assert.Equal(1, await ActivatorUtilities.CreateInstance<RiskEventRelay>(_services).RelayAsync(default));

        var id = NotificationEvent.IdFor(NotificationEventType.RiskHalt, halt.EventId);
        var pending = await Outbox.ListAsync(DeliveryStatus.Pending, 10, default);
        Assert.Equal([$"{id}.slack", $"{id}.webhook-0"], pending.Select(d => d.DeliveryId).Order(StringComparer.Ordinal));
        Assert.All(pending, d => Assert.Equal("risk.halt", d.EventType));
    }
}

/// <summary>The embedded outbox on a real database file, and its write in the decision's own transaction.</summary>
public sealed class SqliteOutboxContractTests : OutboxContractTests, IAsyncDisposable
{
    private readonly Kyperian.Api.Tests.Embedded.EmbeddedTestDatabase _database = new();

    protected override INotificationOutbox Outbox => _database.Get<INotificationOutbox>();

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task A_decision_and_its_deliveries_are_stored_together_once_and_the_alert_body_moves_to_them()
    {
        var signal = NotifyData.Signal();
        await _database.Get<ISignalStore>().TryAddAsync(signal, PublishState.Published, "{\"ticker\":\"BTCUSDT\",\"passphrase\":\"x\"}", default);
        var decision = NotifyData.Execute(signal);
        var notification = Kyperian.Api.Application.Notifications.NotificationEvents.ForDecision(decision, signal);
        OutboxDelivery Delivery(string destination, string? raw) => new()
        {
            DeliveryId = $"{notification.Id}.{destination}",
            EventId = notification.Id,
            EventType = "decision.execute",
            Destination = destination,
            Payload = "{}",
            RawAlert = raw,
            CreatedAt = decision.DecidedAt,
            NextAttemptAt = decision.DecidedAt,
        };
        var store = _database.Get<IDecisionOutbox>();

        Assert.True(await store.TryAddAsync(decision, [Delivery("slack", null), Delivery("webhook-0", "{\"ticker\":\"BTCUSDT\"}")], default));
        Assert.False(await store.TryAddAsync(decision with { Score = -1 }, [Delivery("telegram", null)], default));

        Assert.Equal(decision, await _database.Get<IDecisionStore>().GetAsync(decision.DecisionId, default), new DecisionJson());
        Assert.Equal(["slack", "webhook-0"], (await Outbox.ListAsync(DeliveryStatus.Pending, 10, default)).Select(d => d.Destination).Order(StringComparer.Ordinal));
        Assert.Equal("{\"ticker\":\"BTCUSDT\"}", (await Outbox.GetAsync($"{notification.Id}.webhook-0", default))!.RawAlert);
        Assert.Null(await _database.Get<ISignalStore>().GetRawAlertAsync(signal.SignalId, default));

        // Durable: after a restart the deliveries wait where they were.
        await _database.RestartAsync();
        Assert.Equal(2, (await Outbox.ClaimDueAsync("slack", decision.DecidedAt, TimeSpan.FromMinutes(1), 10, default)).Count
            + (await Outbox.ClaimDueAsync("webhook-0", decision.DecidedAt, TimeSpan.FromMinutes(1), 10, default)).Count);
    }

    [Fact]
    public async Task A_database_at_engine_v2s_schema_3_gains_the_outbox_and_keeps_its_decisions()
    {
        // A database the previous release wrote: migrations 1 to 3 applied, a decision stored.
        var folder = Path.Combine(Path.GetTempPath(), "kyperian-v3-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "kyperian.db");
        var earlier = NotifyData.Execute(NotifyData.Signal(id: "sig_000000000000000000000003"));
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            foreach (var migration in Kyperian.Api.Infrastructure.Embedded.EmbeddedSchema.Migrations.Where(m => m.Version <= 3))
            {
                using var command = connection.CreateCommand();
                command.CommandText = migration.Sql + $"; PRAGMA user_version = {migration.Version};";
                command.ExecuteNonQuery();
            }

            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO decisions (decision_id, signal_id, symbol, decided_at, body) VALUES ($id, $signal, 'BTCUSDT', $at, $body)";
            insert.Parameters.AddWithValue("$id", earlier.DecisionId);
            insert.Parameters.AddWithValue("$signal", earlier.SignalId);
            insert.Parameters.AddWithValue("$at", earlier.DecidedAt.UtcTicks);
            insert.Parameters.AddWithValue("$body", System.Text.Json.JsonSerializer.Serialize(earlier, Kyperian.Api.Infrastructure.Embedded.EmbeddedJsonContext.Default.Decision));
            insert.ExecuteNonQuery();
        }

        try
        {
            await using var upgraded = new Kyperian.Api.Tests.Embedded.EmbeddedTestDatabase(new() { ["Kyperian:Embedded:Path"] = path });
            Assert.Equal(Kyperian.Api.Infrastructure.Embedded.EmbeddedSchema.CurrentVersion, upgraded.Get<Kyperian.Api.Infrastructure.Embedded.EmbeddedDatabase>().SchemaVersion);
            Assert.Equal(earlier.DecisionId, (await upgraded.Get<IDecisionStore>().GetAsync(earlier.DecisionId, default))?.DecisionId);

            var signal = NotifyData.Signal(id: "sig_000000000000000000000004");
            var decision = NotifyData.Execute(signal);
            var delivery = new OutboxDelivery
            {
                DeliveryId = "evt_v3.slack",
                EventId = "evt_v3",
                EventType = "decision.execute",
                Destination = "slack",
                Payload = "{}",
                CreatedAt = decision.DecidedAt,
                NextAttemptAt = decision.DecidedAt,
            };
            Assert.True(await upgraded.Get<IDecisionOutbox>().TryAddAsync(decision, [delivery], default));
            Assert.Equal("evt_v3.slack", Assert.Single(await upgraded.Get<INotificationOutbox>().ListAsync(DeliveryStatus.Pending, 10, default)).DeliveryId);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class DecisionJson : IEqualityComparer<Kyperian.Domain.Decisions.Decision?>
    {
        public bool Equals(Kyperian.Domain.Decisions.Decision? x, Kyperian.Domain.Decisions.Decision? y) =>
            System.Text.Json.JsonSerializer.Serialize(x) == System.Text.Json.JsonSerializer.Serialize(y);

        public int GetHashCode(Kyperian.Domain.Decisions.Decision? obj) => 0;
    }
}
