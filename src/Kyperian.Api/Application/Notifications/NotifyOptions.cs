namespace Kyperian.Api.Application.Notifications;

/// <summary>
/// <c>Kyperian:Notify</c>: where decisions, risk events and give-ups are sent, and how hard delivery tries. A destination
/// is on when its address is set; none is on by default.
/// </summary>
public sealed class NotifyOptions
{
    public const string Section = "Kyperian:Notify";

    /// <summary>
    /// The events sent at all, as codes separated by commas (<c>decision.execute,risk.halt</c>; <c>*</c> for all).
    /// Unset: <c>decision.execute</c>, the four <c>risk.*</c> and <c>system.deadletter</c>.
    /// </summary>
    public string? Events { get; set; }

    /// <summary>Attempts per delivery before it is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Hours without an alert before <c>system.silence</c> is raised; 0 is off.</summary>
    public double SilenceHours { get; set; }

    /// <summary>First pause before a retry; doubles each attempt, jittered, up to <see cref="RetryMaxDelayMs"/>.</summary>
    public int RetryBaseDelayMs { get; set; } = 2_000;

    public int RetryMaxDelayMs { get; set; } = 300_000;

    /// <summary>The longest a destination's Retry-After is honoured; a longer one is cut to this.</summary>
    public int MaxRetryAfterSeconds { get; set; } = 3_600;

    /// <summary>One attempt's limit, connection and answer included.</summary>
    public int AttemptTimeoutMs { get; set; } = 10_000;

    /// <summary>How long a worker holds a delivery it claimed before another may take it over (the first one died).</summary>
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>
    /// How often an idle destination looks for due deliveries it was not woken for (retries after a restart), and the
    /// engine for risk events recorded (by it, or by the API elsewhere) to tell.
    /// </summary>
    public int PollIntervalMs { get; set; } = 1_000;

    public TelegramOptions Telegram { get; set; } = new();

    public ChatWebhookOptions Discord { get; set; } = new() { MinIntervalMs = 500 };

    public ChatWebhookOptions Slack { get; set; } = new() { MinIntervalMs = 1_000 };

    /// <summary><c>Kyperian:Notify:Webhooks:{n}</c>: any number of signed webhooks.</summary>
    public List<SignedWebhookOptions> Webhooks { get; set; } = [];

    /// <summary>An SNS topic (<c>arn:aws:sns:{region}:{account}:{name}</c>) that receives every event as JSON.</summary>
    public string? SnsTopicArn { get; set; }

    public SnsOptions Sns { get; set; } = new();
}

/// <summary>What every destination may narrow or tune.</summary>
public class DestinationOptions
{
    /// <summary>Narrows <see cref="NotifyOptions.Events"/> for this destination (same format); unset keeps them all.</summary>
    public string? Events { get; set; }

    /// <summary>Deliveries in flight at once to this destination.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>The least time between two attempts to this destination (its rate limit); 0 for none.</summary>
    public int MinIntervalMs { get; set; }
}

/// <summary><c>Kyperian:Notify:Telegram</c>: a bot posting to one chat.</summary>
public sealed class TelegramOptions : DestinationOptions
{
    public const string DefaultBaseUrl = "https://api.telegram.org";

    public TelegramOptions()
    {
        // Telegram allows a bot about one message a second in one chat.
        MaxConcurrency = 1;
        MinIntervalMs = 1_000;
    }

    /// <summary>From @BotFather; a secret.</summary>
    public string? BotToken { get; set; }

    /// <summary>The chat, group (negative) or <c>@channel</c> to post to.</summary>
    public string? ChatId { get; set; }

    public string BaseUrl { get; set; } = DefaultBaseUrl;
}

/// <summary><c>Kyperian:Notify:Discord</c> and <c>:Slack</c>: an incoming webhook, whose URL holds its token.</summary>
public sealed class ChatWebhookOptions : DestinationOptions
{
    public ChatWebhookOptions() => MaxConcurrency = 1;

    public string? WebhookUrl { get; set; }
}

/// <summary><c>Kyperian:Notify:Webhooks:{n}</c>: a receiver of our own signed JSON, or of a bridge's payload.</summary>
public sealed class SignedWebhookOptions : DestinationOptions
{
    /// <summary>How deliveries, <c>/notifications</c> and logs name it; <c>webhook-{n}</c> when unset.</summary>
    public string? Name { get; set; }

    public string? Url { get; set; }

    /// <summary>The key of <c>X-Kyperian-Signature</c>'s HMAC-SHA256.</summary>
    public string? Secret { get; set; }

    /// <summary>The body, with placeholders (<see cref="NotificationTemplate"/>); unset sends the event as JSON.</summary>
    public string? Template { get; set; }

    /// <summary>A ready template for an execution bridge: <c>traderspost</c>, <c>3commas</c> or <c>pineconnector</c>.</summary>
    public string? Preset { get; set; }

    /// <summary>The destination's own placeholders (<c>:Values:licenseId</c> is <c>{{licenseId}}</c>); treated as secrets.</summary>
    public Dictionary<string, string> Values { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary><c>Kyperian:Notify:Sns</c>: the topic's delivery settings (the topic itself is <c>SnsTopicArn</c>).</summary>
public sealed class SnsOptions : DestinationOptions
{
    /// <summary>Empty: <c>https://sns.{region}.amazonaws.com</c>, the region taken from the topic ARN.</summary>
    public string? ServiceUrl { get; set; }
}
