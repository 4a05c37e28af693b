using System.Text.Json;
using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Tests.Adapters;
using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Ports;

namespace Kyperian.Api.Tests.Notify;

/// <summary>
/// Delivery over real HTTP to loopback servers that speak each destination's wire format: what arrives, what is
/// retried and when, what is given up, and that one destination's trouble stays its own.
/// </summary>
public sealed class DeliveryTests : IAsyncLifetime
{
    private const string BotToken = "7012345678:AAH-telegram-test-token-0123456789ab";
    private const string ChatId = "-1001234567890";
    private const string WebhookSecret = "whsec-kyperian-test-0123456789abcdef";

    private readonly TelegramReceiver _telegram = new(BotToken);
    private readonly DiscordReceiver _discord = new();
    private readonly SlackReceiver _slack = new();
    private readonly WebhookReceiver _webhook = new(WebhookSecret);
    private readonly SnsReceiver _sns = new();

    private LoopbackReceiver[] Receivers => [_telegram, _discord, _slack, _webhook, _sns];

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
    public async Task One_execute_reaches_every_destination_in_its_wire_format()
    {
        await using var harness = await StartAsync(Everywhere());
        var execute = NotifyData.ExecuteEvent();

        await harness.PublishAsync(execute);
        await harness.UntilAsync(() => harness.Outbox.All.Count == 5 && harness.Outbox.All.All(d => d.Status == DeliveryStatus.Sent), "five deliveries sent");

        Assert.All(Receivers, r => Assert.Empty(r.Refusals));
        Assert.All(Receivers, r => Assert.Single(r.Accepted));
        Assert.All(harness.Outbox.All, d => Assert.Equal(1, d.Attempts));

        var telegram = Assert.Single(_telegram.Accepted);
        Assert.Equal($"/bot{BotToken}/sendMessage", telegram.Path);
        Assert.Equal(-1001234567890, telegram.Json["chat_id"]!.GetValue<long>());
        Assert.Equal(execute.Message, telegram.Json["text"]!.GetValue<string>());
        Assert.StartsWith("🟢 BUY BTCUSDT 2.5% @ 64250.5 · 15m", execute.Message, StringComparison.Ordinal);

        var discord = Assert.Single(_discord.Accepted);
        Assert.Equal(execute.Message, discord.Json["content"]!.GetValue<string>());
        Assert.Empty(discord.Json["allowed_mentions"]!["parse"]!.AsArray());

        Assert.Equal(execute.Message, Assert.Single(_slack.Accepted).Json["text"]!.GetValue<string>());

        var webhook = Assert.Single(_webhook.Accepted);
        Assert.Equal(execute.Id, webhook.Header("X-Kyperian-Delivery"));
        Assert.Equal("decision.execute", webhook.Header("X-Kyperian-Event"));
        Assert.StartsWith("application/json", webhook.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal(execute, JsonSerializer.Deserialize(webhook.Body, NotificationJsonContext.Default.NotificationEvent), new EventComparer());
        Assert.Equal("decision.execute", webhook.Json["type"]!.GetValue<string>());
        Assert.Equal("EnterLong", webhook.Json["action"]!.GetValue<string>());
        Assert.Equal(64250.5m, webhook.Json["price"]!.GetValue<decimal>());

        var sns = SnsReceiver.Form(Assert.Single(_sns.Accepted));
        Assert.Equal(SnsReceiver.TopicArn, sns["TopicArn"]);
        Assert.Equal(webhook.Text, sns["Message"]);
        Assert.Equal("event", sns["MessageAttributes.entry.1.Name"]);
        Assert.Equal("decision.execute", sns["MessageAttributes.entry.1.Value.StringValue"]);
        Assert.Equal("Kyperian decision.execute BTCUSDT", sns["Subject"]);
    }

    [Fact]
    public async Task A_destination_failing_500_twice_then_200_gets_the_event_once_more_with_the_same_delivery_id()
    {
        _webhook.ThenStatus(500, times: 2);
        await using var harness = await StartAsync(WebhookOnly());
        var execute = NotifyData.ExecuteEvent();

        await harness.PublishAsync(execute);
        await harness.UntilAsync(() => harness.Outbox.All.Single().Status == DeliveryStatus.Sent, "the delivery sent", step: TimeSpan.FromMilliseconds(250));

        var requests = _webhook.Requests.ToList();
        Assert.Equal(3, requests.Count);
        Assert.Single(_webhook.Accepted);
        Assert.All(requests, r => Assert.Equal(execute.Id, r.Header("X-Kyperian-Delivery")));
        Assert.Single(requests.Select(r => r.Text).Distinct());
        Assert.Single(requests.Select(r => r.Header("X-Kyperian-Signature")).Distinct());

        var delivery = harness.Outbox.All.Single();
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal("HTTP 500: Internal Server Error", delivery.LastError);
    }

    [Fact]
    public async Task A_429_with_Retry_After_1_is_honoured()
    {
        _slack.ThenRetryAfter(1);
        await using var harness = await StartAsync(SlackOnly());
        await harness.PublishAsync(NotifyData.ExecuteEvent());

        await harness.UntilAsync(() => harness.Outbox.All.Single().Attempts == 1, "the first attempt recorded");
        var waiting = harness.Outbox.All.Single();
        Assert.Equal(DeliveryStatus.Pending, waiting.Status);
        Assert.Equal(waiting.LastAttemptAt!.Value.AddSeconds(1), waiting.NextAttemptAt);
        Assert.Equal("HTTP 429: rate_limited", waiting.LastError);

        await harness.UntilAsync(() => harness.Outbox.All.Single().Status == DeliveryStatus.Sent, "the delivery sent", step: TimeSpan.FromMilliseconds(100));
        var requests = _slack.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1), "the retry came no sooner than Retry-After said");
    }

    [Fact]
    public async Task Telegrams_retry_after_and_Discords_are_honoured()
    {
        _telegram.ThenTooManyRequests(3);
        _discord.ThenRateLimited(0.5);
        await using var harness = await StartAsync(TelegramOnly().With(DiscordOnly()));
        await harness.PublishAsync(NotifyData.ExecuteEvent());

        await harness.UntilAsync(() => harness.Outbox.All.Count == 2 && harness.Outbox.All.All(d => d.Attempts == 1), "both first attempts recorded");
        var telegram = harness.Outbox.All.Single(d => d.Destination == "telegram");
        var discord = harness.Outbox.All.Single(d => d.Destination == "discord");
        Assert.Equal(telegram.LastAttemptAt!.Value.AddSeconds(3), telegram.NextAttemptAt);
        Assert.Equal(discord.LastAttemptAt!.Value.AddSeconds(0.5), discord.NextAttemptAt);
        Assert.Equal("HTTP 429: Too Many Requests: retry after 3", telegram.LastError);

        await harness.UntilAsync(() => harness.Outbox.All.All(d => d.Status == DeliveryStatus.Sent), "both sent", step: TimeSpan.FromMilliseconds(100));
        var telegramRequests = _telegram.Requests.ToList();
        Assert.True(telegramRequests[1].At - telegramRequests[0].At >= TimeSpan.FromSeconds(3));
        var discordRequests = _discord.Requests.ToList();
        Assert.True(discordRequests[1].At - discordRequests[0].At >= TimeSpan.FromSeconds(0.5));
    }

    [Fact]
    public async Task A_401_stops_at_once_dead_letters_and_tells_the_other_destinations()
    {
        const string WrongToken = "7012345678:AAH-revoked-token-zzzzzzzzzzzzzzzzzz";
        await using var harness = await StartAsync(TelegramOnly(token: WrongToken).With(SlackOnly()));
        var execute = NotifyData.ExecuteEvent();

        await harness.PublishAsync(execute);
        await harness.UntilAsync(
            () => harness.Outbox.Find($"{execute.Id}.telegram")?.Status == DeliveryStatus.Failed
                && harness.Outbox.All.Count(d => d.Destination == "slack" && d.Status == DeliveryStatus.Sent) == 2,
            "telegram dead-lettered and slack told",
            step: TimeSpan.FromMilliseconds(250));

        var failed = harness.Outbox.Find($"{execute.Id}.telegram")!;
        Assert.Equal(1, failed.Attempts);
        Assert.Single(_telegram.Requests);
        Assert.Equal("HTTP 401: Unauthorized", failed.LastError);

        var deadLetter = Assert.Single(harness.Outbox.All, d => d.EventType == "system.deadletter");
        Assert.Equal("slack", deadLetter.Destination);
        var told = _slack.Accepted.Select(r => r.Json["text"]!.GetValue<string>()).Single(t => t.Contains("gave up", StringComparison.Ordinal));
        Assert.Contains("telegram", told, StringComparison.Ordinal);
        Assert.Contains("decision.execute BTCUSDT", told, StringComparison.Ordinal);
        Assert.Contains("HTTP 401", told, StringComparison.Ordinal);

        Assert.DoesNotContain(harness.Logs.Lines, l => l.Text.Contains(WrongToken, StringComparison.Ordinal) || l.Text.Contains("AAH-revoked", StringComparison.Ordinal));
        Assert.Contains(harness.Logs.Lines, l => l.Text.Contains("dead-lettered", StringComparison.Ordinal));
        Assert.Contains(harness.Measurements, m => m is ("NotificationsDeadLettered", 1, "telegram"));
        Assert.Contains(harness.Measurements, m => m is ("NotificationsSent", 1, "slack"));
        Assert.Contains(harness.Measurements, m => m.Name == "NotificationDelayMs" && m.Destination == "slack");
    }

    [Fact]
    public async Task Errors_and_logs_never_carry_a_webhook_url_or_token()
    {
        // Discord answers 404 Unknown Webhook for a URL it does not know; the URL is the secret.
        var wrongUrl = _discord.Url + "/api/webhooks/999999999999999999/leaked-token-must-not-appear-anywhere";
        await using var harness = await StartAsync(new() { ["Kyperian:Notify:Discord:WebhookUrl"] = wrongUrl });
        await harness.PublishAsync(NotifyData.ExecuteEvent());

        await harness.UntilAsync(() => harness.Outbox.All.Single().Status == DeliveryStatus.Failed, "the delivery dead-lettered");
        var failed = harness.Outbox.All.Single();
        Assert.Equal("HTTP 404: Unknown Webhook", failed.LastError);
        Assert.DoesNotContain(harness.Logs.Lines, l => l.Text.Contains("leaked-token", StringComparison.Ordinal));
        Assert.DoesNotContain("leaked-token", failed.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_destination_does_not_delay_the_others()
    {
        // Telegram takes the request and never answers; a webhook's port refuses connections.
        _telegram.Hang = true;
        var refused = $"http://127.0.0.1:{LocalEnvironment.FreePort()}/hook";
        var settings = TelegramOnly()
            .With(SlackOnly())
            .With(WebhookOnly())
            .With(new()
            {
                ["Kyperian:Notify:Slack:MinIntervalMs"] = "0",
                ["Kyperian:Notify:Webhooks:1:Url"] = refused,
                ["Kyperian:Notify:Webhooks:1:Secret"] = WebhookSecret,
            });
        await using var harness = await StartAsync(settings);
        var events = Enumerable.Range(0, 3).Select(i => NotifyData.ExecuteEvent(id: $"sig_{i:D24}")).ToList();

        foreach (var notification in events)
        {
            await harness.PublishAsync(notification);
        }

        // No clock moves: the live destinations deliver everything while the dead ones still hold their first.
        await harness.UntilAsync(() => _slack.Accepted.Count == 3 && _webhook.Accepted.Count == 3, "slack and the live webhook served");
        Assert.Single(_telegram.Requests);
        Assert.All(harness.Outbox.All.Where(d => d.Destination is "telegram" or "webhook-1"), d => Assert.Equal(DeliveryStatus.Pending, d.Status));
        Assert.Equal(events.Select(e => e.Id).Order(StringComparer.Ordinal), _webhook.Accepted.Select(r => r.Header("X-Kyperian-Delivery")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Telegram_is_held_to_one_message_a_second()
    {
        await using var harness = await StartAsync(TelegramOnly());
        await harness.PublishAsync(NotifyData.ExecuteEvent(id: "sig_000000000000000000000001"));
        await harness.PublishAsync(NotifyData.ExecuteEvent(id: "sig_000000000000000000000002"));

        // The clock stands still until the first arrives, so that its stamp is when it was sent.
        await harness.UntilAsync(() => _telegram.Accepted.Count == 1, "the first message");
        await harness.UntilAsync(() => _telegram.Accepted.Count == 2, "the second message", step: TimeSpan.FromMilliseconds(100));
        var requests = _telegram.Requests.ToList();
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_delivery_that_keeps_failing_gives_up_after_MaxAttempts()
    {
        _webhook.ThenStatus(503, times: 10);
        await using var harness = await StartAsync(WebhookOnly().With(new() { ["Kyperian:Notify:MaxAttempts"] = "4" }));
        await harness.PublishAsync(NotifyData.ExecuteEvent());

        await harness.UntilAsync(() => harness.Outbox.All.Single().Status == DeliveryStatus.Failed, "dead-lettered", step: TimeSpan.FromMilliseconds(250));
        var failed = harness.Outbox.All.Single();
        Assert.Equal(4, failed.Attempts);
        Assert.Equal(4, _webhook.Requests.Count);
        Assert.Equal("gave up after 4 attempts: HTTP 503: Service Unavailable", failed.LastError);
    }

    [Fact]
    public async Task A_restart_continues_the_attempt_count_and_a_retried_failure_is_sent()
    {
        await using var harness = await StartAsync(WebhookOnly().With(new() { ["Kyperian:Notify:MaxAttempts"] = "3" }));
        var execute = NotifyData.ExecuteEvent();
        var delivery = harness.Publisher.DeliveriesFor(execute, null).Single() with { Attempts = 2 };

        // Two attempts were made before a restart: one more is left, and it fails.
        _webhook.ThenStatus(502);
        await harness.Outbox.EnqueueAsync([delivery], CancellationToken.None);
        harness.Publisher.Enqueued([delivery]);
        await harness.UntilAsync(() => harness.Outbox.All.Single().Status == DeliveryStatus.Failed, "dead-lettered");
        Assert.Equal(3, harness.Outbox.All.Single().Attempts);
        Assert.Single(_webhook.Requests);

        // The operator retries it: counted afresh, and sent.
        Assert.True(await harness.Outbox.RetryAsync(delivery.DeliveryId, harness.Clock.GetUtcNow(), CancellationToken.None));
        harness.Publisher.Enqueued([delivery]);
        await harness.UntilAsync(() => harness.Outbox.All.Single().Status == DeliveryStatus.Sent, "sent after the retry");
        Assert.Equal(1, harness.Outbox.All.Single().Attempts);
    }

    [Fact]
    public async Task An_SNS_throttle_is_retried_and_an_authorization_error_is_not()
    {
        _sns.ThenError(400, "Throttled", "Rate exceeded").ThenError(403, "AuthorizationError", "User is not authorized to perform SNS:Publish");
        await using var harness = await StartAsync(SnsOnly());
        await harness.PublishAsync(NotifyData.ExecuteEvent());

        await harness.UntilAsync(() => harness.Outbox.All.Single().Status == DeliveryStatus.Failed, "dead-lettered", step: TimeSpan.FromMilliseconds(250));
        var failed = harness.Outbox.All.Single();
        Assert.Equal(2, failed.Attempts);
        Assert.Equal("HTTP 403: AuthorizationError: User is not authorized to perform SNS:Publish", failed.LastError);
        Assert.Empty(_sns.Refusals);
    }

    private async Task<NotifyHarness> StartAsync(Dictionary<string, string?> settings)
    {
        var harness = await NotifyHarness.StartAsync(settings);
        foreach (var receiver in Receivers)
        {
            receiver.Clock = harness.Clock.GetUtcNow;
        }

        return harness;
    }

    private Dictionary<string, string?> Everywhere() =>
        TelegramOnly().With(DiscordOnly()).With(SlackOnly()).With(WebhookOnly()).With(SnsOnly());

    private Dictionary<string, string?> TelegramOnly(string token = BotToken) => new()
    {
        ["Kyperian:Notify:Telegram:BotToken"] = token,
        ["Kyperian:Notify:Telegram:ChatId"] = ChatId,
        ["Kyperian:Notify:Telegram:BaseUrl"] = _telegram.Url,
    };

    private Dictionary<string, string?> DiscordOnly() => new() { ["Kyperian:Notify:Discord:WebhookUrl"] = _discord.Url + DiscordReceiver.Path };

    private Dictionary<string, string?> SlackOnly() => new() { ["Kyperian:Notify:Slack:WebhookUrl"] = _slack.Url + SlackReceiver.Path };

    private Dictionary<string, string?> WebhookOnly() => new()
    {
        ["Kyperian:Notify:Webhooks:0:Url"] = _webhook.Url + "/hooks/kyperian",
        ["Kyperian:Notify:Webhooks:0:Secret"] = WebhookSecret,
    };

    private Dictionary<string, string?> SnsOnly() => new()
    {
        ["Kyperian:Notify:SnsTopicArn"] = SnsReceiver.TopicArn,
        ["Kyperian:Notify:Sns:ServiceUrl"] = _sns.Url,
    };

    /// <summary>Events compared by their JSON: lists compare by value there.</summary>
    private sealed class EventComparer : IEqualityComparer<NotificationEvent?>
    {
        public bool Equals(NotificationEvent? x, NotificationEvent? y) =>
            x is not null && y is not null && Serialize(x) == Serialize(y);

        public int GetHashCode(NotificationEvent? obj) => obj is null ? 0 : Serialize(obj).GetHashCode(StringComparison.Ordinal);

        private static string Serialize(NotificationEvent e) => JsonSerializer.Serialize(e, NotificationJsonContext.Default.NotificationEvent);
    }
}
