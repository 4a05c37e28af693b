using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Notifications;

public enum DestinationKind
{
    Telegram,
    Discord,
    Slack,
    Webhook,
    Sns,
}

/// <summary>A configured destination as delivery sees it: its name, the events it takes and its limits. No address, no secret.</summary>
public sealed record NotificationDestination
{
    public required string Name { get; init; }

    public required DestinationKind Kind { get; init; }

    public required IReadOnlySet<NotificationEventType> Events { get; init; }

    public required int MaxConcurrency { get; init; }

    public required TimeSpan MinInterval { get; init; }

    /// <summary>A webhook's body template (its own or a preset's); null sends the event as JSON.</summary>
    public NotificationTemplate? Template { get; init; }

    /// <summary>A webhook's own placeholder values.</summary>
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>();

    /// <summary>The index under <c>Kyperian:Notify:Webhooks</c>, for a webhook.</summary>
    public int? WebhookIndex { get; init; }

    public bool Takes(NotificationEventType type) => Events.Contains(type);
}

/// <summary>Every configured destination, read once from <see cref="NotifyOptions"/>; the settings are checked at start.</summary>
public sealed partial class NotificationDestinations
{
    public NotificationDestinations(NotifyOptions options)
    {
        var problems = new List<string>();
        All = Read(options, problems);
        Problems = problems;
    }

    public IReadOnlyList<NotificationDestination> All { get; }

    /// <summary>Why the settings are unusable, each naming its key; empty when they are fine.</summary>
    public IReadOnlyList<string> Problems { get; }

    public NotificationDestination? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));

    private static List<NotificationDestination> Read(NotifyOptions options, List<string> problems)
    {
        var destinations = new List<NotificationDestination>();
        if (!NotificationEventTypes.TryParseList(options.Events, NotificationEventTypes.Defaults, out var global, out var unknown))
        {
            problems.Add($"{NotifyOptions.Section}:Events names an unknown event '{Clip(unknown)}'; known: {string.Join(", ", NotificationEventTypes.All.Select(t => t.Code()))}.");
            global = NotificationEventTypes.Defaults;
        }

        if (options.MaxAttempts < 1 || options.RetryBaseDelayMs < 1 || options.RetryMaxDelayMs < options.RetryBaseDelayMs
            || options.AttemptTimeoutMs < 1 || options.LeaseSeconds < 1 || options.PollIntervalMs < 1 || options.MaxRetryAfterSeconds < 1
            || options.SilenceHours < 0)
        {
            problems.Add($"{NotifyOptions.Section}: MaxAttempts, RetryBaseDelayMs, AttemptTimeoutMs, LeaseSeconds, PollIntervalMs and MaxRetryAfterSeconds must be positive, RetryMaxDelayMs at least RetryBaseDelayMs, SilenceHours not negative.");
        }

        // A claim must outlive the attempt it covers, or another worker would send the delivery again meanwhile.
        if (options.LeaseSeconds * 1000L <= options.AttemptTimeoutMs)
        {
            problems.Add($"{NotifyOptions.Section}:LeaseSeconds must be longer than AttemptTimeoutMs.");
        }

        var telegram = options.Telegram;
        if (!string.IsNullOrWhiteSpace(telegram.BotToken) || !string.IsNullOrWhiteSpace(telegram.ChatId))
        {
            const string Key = NotifyOptions.Section + ":Telegram";
            if (string.IsNullOrWhiteSpace(telegram.BotToken) || string.IsNullOrWhiteSpace(telegram.ChatId))
            {
                problems.Add($"{Key} needs both BotToken and ChatId.");
            }

            if (!IsHttpUrl(telegram.BaseUrl))
            {
                problems.Add($"{Key}:BaseUrl must be an http(s) URL.");
            }

            destinations.Add(Destination("telegram", DestinationKind.Telegram, Key, telegram, global, problems));
        }

        AddChat(destinations, "discord", DestinationKind.Discord, options.Discord, global, problems);
        AddChat(destinations, "slack", DestinationKind.Slack, options.Slack, global, problems);

        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var webhook = options.Webhooks[i];
            var key = $"{NotifyOptions.Section}:Webhooks:{i}";
            if (!IsHttpUrl(webhook.Url))
            {
                problems.Add($"{key}:Url must be an http(s) URL.");
            }

            if (string.IsNullOrEmpty(webhook.Secret))
            {
                problems.Add($"{key}:Secret is required: receivers verify X-Kyperian-Signature with it.");
            }

            var name = string.IsNullOrWhiteSpace(webhook.Name) ? $"webhook-{i}" : webhook.Name.Trim();
            if (!DestinationName().IsMatch(name))
            {
                problems.Add($"{key}:Name must be 1-32 of a-z, 0-9 and -.");
            }

            var destination = Destination(name, DestinationKind.Webhook, key, webhook, global, problems) with
            {
                WebhookIndex = i,
                Values = new Dictionary<string, string>(webhook.Values, StringComparer.OrdinalIgnoreCase),
            };
            destinations.Add(WithTemplate(destination, webhook, key, problems));
        }

        if (!string.IsNullOrWhiteSpace(options.SnsTopicArn))
        {
            if (SnsTopic.TryParse(options.SnsTopicArn, out _) is false)
            {
                problems.Add($"{NotifyOptions.Section}:SnsTopicArn must be an SNS topic ARN (arn:aws:sns:region:account:name).");
            }

            if (!string.IsNullOrWhiteSpace(options.Sns.ServiceUrl) && !IsHttpUrl(options.Sns.ServiceUrl))
            {
                problems.Add($"{NotifyOptions.Section}:Sns:ServiceUrl must be an http(s) URL.");
            }

            destinations.Add(Destination("sns", DestinationKind.Sns, NotifyOptions.Section + ":Sns", options.Sns, global, problems));
        }

        foreach (var duplicate in destinations.GroupBy(d => d.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"{NotifyOptions.Section}: two destinations are named '{duplicate.Key}'.");
        }

        return destinations;
    }

    private static void AddChat(
        List<NotificationDestination> destinations,
        string name,
        DestinationKind kind,
        ChatWebhookOptions chat,
        IReadOnlySet<NotificationEventType> global,
        List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(chat.WebhookUrl))
        {
            return;
        }

        var key = $"{NotifyOptions.Section}:{kind}";
        if (!IsHttpUrl(chat.WebhookUrl))
        {
            problems.Add($"{key}:WebhookUrl must be an http(s) URL.");
        }

        destinations.Add(Destination(name, kind, key, chat, global, problems));
    }

    private static NotificationDestination Destination(
        string name,
        DestinationKind kind,
        string key,
        DestinationOptions settings,
        IReadOnlySet<NotificationEventType> global,
        List<string> problems)
    {
        if (!NotificationEventTypes.TryParseList(settings.Events, global, out var narrowed, out var unknown))
        {
            problems.Add($"{key}:Events names an unknown event '{Clip(unknown)}'.");
            narrowed = global;
        }

        if (settings.MaxConcurrency < 1 || settings.MinIntervalMs < 0)
        {
            problems.Add($"{key}: MaxConcurrency must be positive and MinIntervalMs not negative.");
        }

        return new NotificationDestination
        {
            Name = name,
            Kind = kind,

            // A destination narrows the global choice, never widens it.
            Events = global.Intersect(narrowed).ToHashSet(),
            MaxConcurrency = Math.Max(1, settings.MaxConcurrency),
            MinInterval = TimeSpan.FromMilliseconds(Math.Max(0, settings.MinIntervalMs)),
        };
    }

    private static NotificationDestination WithTemplate(
        NotificationDestination destination, SignedWebhookOptions webhook, string key, List<string> problems)
    {
        var text = webhook.Template;
        var events = destination.Events;
        if (!string.IsNullOrWhiteSpace(webhook.Preset))
        {
            if (!BridgePresets.All.TryGetValue(webhook.Preset.Trim(), out var preset))
            {
                problems.Add($"{key}:Preset must be one of {string.Join(", ", BridgePresets.All.Keys)}.");
                return destination;
            }

            if (!string.IsNullOrWhiteSpace(text))
            {
                problems.Add($"{key}: set Template or Preset, not both.");
            }

            foreach (var missing in preset.RequiredValues.Where(v => string.IsNullOrWhiteSpace(webhook.Values.GetValueOrDefault(v))))
            {
                problems.Add($"{key}:Values:{missing} is required by the {preset.Name} preset.");
            }

            text = preset.Template;

            // A bridge executes what it receives: only executions go to it.
            events = events.Where(e => e == NotificationEventType.DecisionExecute).ToHashSet();
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return destination;
        }

        foreach (var shadowing in webhook.Values.Keys.Where(k => NotificationTemplate.Placeholders.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            problems.Add($"{key}:Values:{Clip(shadowing)} has the name of a built-in placeholder.");
        }

        if (!NotificationTemplate.TryParse(text, webhook.Values.Keys, out var template, out var error))
        {
            problems.Add($"{key}:{(string.IsNullOrWhiteSpace(webhook.Preset) ? "Template" : "Preset")} {error}.");
            return destination with { Events = events };
        }

        return destination with { Template = template, Events = events };
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static string Clip(string? text) =>
        Kyperian.Domain.Alerts.Printable.Escape(text, 40);

    [GeneratedRegex("^[a-z0-9-]{1,32}$")]
    private static partial Regex DestinationName();
}

/// <summary>An SNS topic ARN's parts: the region is where Publish must go.</summary>
public readonly record struct SnsTopic(string Arn, string Region, string Account, string Name)
{
    public bool IsFifo => Name.EndsWith(".fifo", StringComparison.Ordinal);

    public static bool TryParse(string? arn, out SnsTopic topic)
    {
        topic = default;
        var parts = arn?.Trim().Split(':');
        if (parts is not ["arn", { Length: > 0 }, "sns", { Length: > 0 } region, { Length: > 0 } account, { Length: > 0 } name])
        {
            return false;
        }

        topic = new SnsTopic(arn!.Trim(), region, account, name);
        return true;
    }
}

/// <summary>Every <c>Kyperian:Notify</c> problem at once, each naming its key, never its value.</summary>
public sealed class NotifyOptionsValidator : IValidateOptions<NotifyOptions>
{
    public ValidateOptionsResult Validate(string? name, NotifyOptions options)
    {
        var problems = new NotificationDestinations(options).Problems;
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
