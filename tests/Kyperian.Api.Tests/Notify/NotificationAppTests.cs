using System.Net;
using Kyperian.Api.Tests.Http.Infrastructure;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace Kyperian.Api.Tests.Notify;

/// <summary>
/// The whole app (role all, embedded database file) from alert to delivery, with loopback receivers as destinations:
/// what arrives, what operators see, what a retry does, and that a destination's trouble stays its own.
/// </summary>
public sealed class NotificationAppTests : IAsyncLifetime
{
    private const string Secret = "whsec-app-test-0123456789abcdef";

    private readonly SlackReceiver _slack = new();
    private readonly WebhookReceiver _webhook = new(Secret);
    private readonly WebhookReceiver _bridge = new(Secret);
    private readonly TelegramReceiver _telegram = new("7012345678:AAH-app-test-token-0123456789abcd");

    private LoopbackReceiver[] Receivers => [_slack, _webhook, _bridge, _telegram];

    public async Task InitializeAsync()
    {
        foreach (var receiver in Receivers)
        {
            await receiver.InitializeAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var receiver in Receivers)
        {
            await receiver.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_decision_reaches_its_destinations_and_operators_see_them_by_name_only()
    {
        await using var app = new KyperianFactory(new Dictionary<string, string?>
        {
            ["Kyperian:Notify:Events"] = "decision.execute,decision.veto",
            ["Kyperian:Notify:Slack:WebhookUrl"] = _slack.Url + SlackReceiver.Path,
            ["Kyperian:Notify:Webhooks:0:Url"] = _webhook.Url + "/kyperian",
            ["Kyperian:Notify:Webhooks:0:Secret"] = Secret,
            ["Kyperian:Notify:Webhooks:1:Name"] = "bridge",
            ["Kyperian:Notify:Webhooks:1:Url"] = _bridge.Url + "/bridge",
            ["Kyperian:Notify:Webhooks:1:Secret"] = Secret,
            ["Kyperian:Notify:Webhooks:1:Template"] = "{{raw}}",
        });
        using var client = app.CreateClient();
        using var operatorClient = app.CreateOperatorClient();
        var alert = Alerts.Alert("NOTIFYUSDT", "buy", "15", 42.5m, 80, DateTimeOffset.UtcNow, "notify-app-1");
        var body = alert.ToJsonString();

        using var accepted = await client.PostRawAsync("/webhook", body, "application/json");
        var signalId = (string)(await accepted.ExpectAsync(HttpStatusCode.Accepted))["signalId"]!;
        var decision = await operatorClient.DecisionAsync(signalId);
        var type = (string?)decision["verdict"] == "EXECUTE" ? "decision.execute" : "decision.veto";

        var sent = await HttpHelpers.EventuallyAsync(
            async () =>
            {
                using var response = await operatorClient.GetAsync("/notifications?status=sent");
                var list = (await response.ExpectAsync(HttpStatusCode.OK)).AsArray();
                return list.Count == 3 ? list : null;
            },
            "three deliveries sent",
            TimeSpan.FromSeconds(30));

        Assert.All(Receivers, r => Assert.Empty(r.Refusals));
        Assert.Contains("NOTIFYUSDT", Assert.Single(_slack.Accepted).Json["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var webhook = Assert.Single(_webhook.Accepted);
        Assert.Equal(type, webhook.Header("X-Kyperian-Event"));
        Assert.Equal((string?)decision["decisionId"], (string?)webhook.Json["decisionId"]);

        // The bridge gets the trader's own message, but for our passphrase.
        var forwarded = Assert.Single(_bridge.Accepted);
        Assert.Equal(body.Replace(KyperianFactory.Passphrase, "***", StringComparison.Ordinal), forwarded.Text);
        Assert.Equal(webhook.Header("X-Kyperian-Delivery"), forwarded.Header("X-Kyperian-Delivery"));

        Assert.Equal(["bridge", "slack", "webhook-0"], sent.Select(d => (string)d!["destination"]!).Order(StringComparer.Ordinal));
        Assert.All(sent, d =>
        {
            Assert.Equal(1, (int)d!["attempts"]!);
            Assert.Equal(type, (string?)d["type"]);
            Assert.Equal("sent", (string?)d["status"]);
        });
        var listing = sent.ToJsonString();
        Assert.DoesNotContain(SlackReceiver.Path, listing, StringComparison.Ordinal);
        Assert.DoesNotContain(_webhook.Url, listing, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, listing, StringComparison.Ordinal);

        // Sent, the delivery forgets the alert's body too.
        var outbox = app.Services.GetRequiredService<INotificationOutbox>();
        Assert.Null((await outbox.GetAsync((string)sent.Single(d => (string?)d!["destination"] == "bridge")!["id"]!, default))!.RawAlert);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Text.Contains(Secret, StringComparison.Ordinal) || l.Text.Contains(SlackReceiver.Path, StringComparison.Ordinal));

        using var unauthorised = await client.GetAsync("/notifications");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
        using var invalid = await operatorClient.GetAsync("/notifications?status=lost&limit=0");
        Assert.Equal(["limit", "status"], (await invalid.ExpectProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
    }

    [Fact]
    public async Task A_dead_letter_degrades_health_and_a_retry_sends_it_with_the_same_delivery_id()
    {
        _webhook.ThenStatus(401);
        await using var app = new KyperianFactory(new Dictionary<string, string?>
        {
            ["Kyperian:Notify:Events"] = "decision.execute,decision.veto",
            ["Kyperian:Notify:Webhooks:0:Url"] = _webhook.Url + "/kyperian",
            ["Kyperian:Notify:Webhooks:0:Secret"] = Secret,
        });
        using var client = app.CreateClient();
        using var operatorClient = app.CreateOperatorClient();
        await operatorClient.DecisionAsync(await client.AcceptAsync(Alerts.Alert("DEADUSDT", "buy", "15", 3m, 80, DateTimeOffset.UtcNow, "dead-1")));

        var failed = await HttpHelpers.EventuallyAsync(
            async () =>
            {
                using var response = await operatorClient.GetAsync("/notifications?status=failed");
                return (await response.ExpectAsync(HttpStatusCode.OK)).AsArray().SingleOrDefault();
            },
            "the delivery dead-lettered",
            TimeSpan.FromSeconds(30));
        Assert.Equal("HTTP 401: Unauthorized", (string?)failed["lastError"]);
        Assert.Equal(1, (int)failed["attempts"]!);

        using (var health = await operatorClient.GetAsync("/health"))
        {
            var check = (await health.ExpectAsync(HttpStatusCode.OK))["checks"]!["notifications"]!;
            Assert.Equal("Degraded", (string?)check["status"]);
            Assert.Contains("webhook-0 (1)", (string?)check["detail"], StringComparison.Ordinal);
            Assert.DoesNotContain(_webhook.Url, check.ToJsonString(), StringComparison.Ordinal);
        }

        var id = (string)failed["id"]!;
        using (var retried = await operatorClient.PostAsync($"/notifications/{id}/retry", null))
        {
            var view = await retried.ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("pending", (string?)view["status"]);
            Assert.Equal(0, (int)view["attempts"]!);
        }

        await HttpHelpers.EventuallyAsync(() => Task.FromResult(_webhook.Accepted.IsEmpty ? null : "sent"), "the retry delivered", TimeSpan.FromSeconds(30));
        var requests = _webhook.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(requests[0].Header("X-Kyperian-Delivery"), requests[1].Header("X-Kyperian-Delivery"));

        // Sent now: there is nothing to retry.
        await HttpHelpers.EventuallyAsync(
            async () =>
            {
                using var response = await operatorClient.GetAsync("/notifications?status=sent");
                return (await response.ExpectAsync(HttpStatusCode.OK)).AsArray().SingleOrDefault();
            },
            "the delivery recorded as sent",
            TimeSpan.FromSeconds(30));
        using var again = await operatorClient.PostAsync($"/notifications/{id}/retry", null);
        await again.ExpectProblemAsync(HttpStatusCode.Conflict);

        using var unknown = await operatorClient.PostAsync("/notifications/evt_000000000000000000000000.nowhere/retry", null);
        await unknown.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_signal_the_engine_gives_up_on_is_told_as_system_deadletter()
    {
        await using var app = new KyperianFactory(
            new Dictionary<string, string?>
            {
                ["Kyperian:Notify:Slack:WebhookUrl"] = _slack.Url + SlackReceiver.Path,
                ["Kyperian:Worker:DeadLetterAfterAttempts"] = "3",
            },
            services => services.AddSingleton<IDecisionStore>(sp => new RefusingDecisions(sp.GetRequiredService<Kyperian.Api.Infrastructure.Embedded.SqliteDecisionStore>(), "GIVEUPUSDT")));
        using var client = app.CreateClient();

        var signalId = await client.AcceptAsync(Alerts.Alert("GIVEUPUSDT", "buy", "15", 5m, 80, DateTimeOffset.UtcNow, "give-up-1"));

        var told = await HttpHelpers.EventuallyAsync(
            () => Task.FromResult(_slack.Accepted.Select(r => r.Json["text"]!.GetValue<string>()).FirstOrDefault()),
            "the give-up told",
            TimeSpan.FromSeconds(30));
        Assert.StartsWith("❗ Signal GIVEUPUSDT 15m was not decided\nAfter 3 attempts: IOException: injected fault", told, StringComparison.Ordinal);
        // The receiver answered; the outcome is recorded a moment later.
        var outbox = app.Services.GetRequiredService<INotificationOutbox>();
        var delivery = await HttpHelpers.EventuallyAsync(
            async () => (await outbox.ListAsync(DeliveryStatus.Sent, 10, default)).SingleOrDefault(),
            "the delivery recorded as sent");
        Assert.Equal("system.deadletter", delivery.EventType);
        Assert.Contains(signalId, delivery.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_destination_that_never_answers_holds_up_no_alert_and_no_decision()
    {
        _telegram.Hang = true;
        await using var app = new KyperianFactory(new Dictionary<string, string?>
        {
            ["Kyperian:Notify:Events"] = "decision.execute,decision.veto",
            ["Kyperian:Notify:Telegram:BotToken"] = _telegram.Token,
            ["Kyperian:Notify:Telegram:ChatId"] = "12345",
            ["Kyperian:Notify:Telegram:BaseUrl"] = _telegram.Url,
            ["Kyperian:Notify:AttemptTimeoutMs"] = "600000",
            ["Kyperian:Notify:LeaseSeconds"] = "900",
        });
        using var client = app.CreateClient();
        using var operatorClient = app.CreateOperatorClient();

        var signals = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            signals.Add(await client.AcceptAsync(Alerts.Alert($"HANG{i}USDT", "buy", "15", 10m + i, 80, DateTimeOffset.UtcNow, $"hang-{i}")));
        }

        foreach (var signal in signals)
        {
            await operatorClient.DecisionAsync(signal);
        }

        // Every alert taken and decided, while Telegram still holds the first message it was sent.
        var pending = await HttpHelpers.EventuallyAsync(
            async () =>
            {
                using var response = await operatorClient.GetAsync("/notifications?status=pending&limit=50");
                var list = (await response.ExpectAsync(HttpStatusCode.OK)).AsArray();
                return list.Count == 20 ? list : null;
            },
            "twenty deliveries waiting");
        Assert.All(pending, d => Assert.Equal("telegram", (string?)d!["destination"]));
        Assert.Single(_telegram.Requests);
    }

    /// <summary>The embedded decision store, but every decision of one symbol fails to be stored, as with a broken disk.</summary>
    private sealed class RefusingDecisions(IDecisionStore inner, string symbol) : IDecisionStore
    {
        public Task<bool> TryAddAsync(Kyperian.Domain.Decisions.Decision decision, CancellationToken cancellationToken) =>
            decision.Symbol.Value == symbol
                ? Task.FromException<bool>(new IOException("injected fault: the decision could not be written"))
                : inner.TryAddAsync(decision, cancellationToken);

        public Task<Kyperian.Domain.Decisions.Decision?> GetAsync(string decisionId, CancellationToken cancellationToken) =>
            inner.GetAsync(decisionId, cancellationToken);

        public Task<IReadOnlyList<Kyperian.Domain.Decisions.Decision>> ListBySymbolAsync(Kyperian.Domain.Signals.Symbol symbol, int limit, CancellationToken cancellationToken) =>
            inner.ListBySymbolAsync(symbol, limit, cancellationToken);
    }
}
