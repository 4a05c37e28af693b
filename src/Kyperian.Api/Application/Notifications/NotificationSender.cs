using System.Text;
using Kyperian.Domain.Alerts;

namespace Kyperian.Api.Application.Notifications;

/// <summary>Sends one delivery to one destination, in its wire format. One implementation per destination kind.</summary>
public interface INotificationSender
{
    DestinationKind Kind { get; }

    /// <summary>One attempt. Throws for a transport failure (refused, reset); an answer, good or bad, is a <see cref="SendResult"/>.</summary>
    Task<SendResult> SendAsync(NotificationDestination destination, OutgoingNotification notification, CancellationToken cancellationToken);
}

/// <summary>What a sender needs: the event, its JSON exactly as stored (the body webhooks sign), the alert's body when kept.</summary>
public sealed record OutgoingNotification(string DeliveryId, NotificationEvent Event, string EventJson, string? RawAlert);

public enum SendOutcome
{
    Sent,

    /// <summary>Worth another attempt: 408, 429, 5xx, a timeout, a dropped connection.</summary>
    Retry,

    /// <summary>Refused for good (bad token, unknown chat, gone webhook): no attempt will do better.</summary>
    Reject,
}

/// <summary>How one attempt ended.</summary>
/// <param name="Outcome">Sent, worth a retry, or refused for good.</param>
/// <param name="Error">What went wrong, without any secret (see <see cref="SecretRedactor"/>).</param>
/// <param name="RetryAfter">When the destination said to come back (Retry-After, Telegram's retry_after, Discord's).</param>
public readonly record struct SendResult(SendOutcome Outcome, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static SendResult Sent() => new(SendOutcome.Sent);

    public static SendResult Retry(string error, TimeSpan? retryAfter = null) => new(SendOutcome.Retry, error, retryAfter);

    public static SendResult Reject(string error) => new(SendOutcome.Reject, error);

    /// <summary>The usual reading of an HTTP status: 2xx sent, 408/429/5xx retried, any other 4xx refused.</summary>
    public static SendResult FromStatus(int status, string? detail, TimeSpan? retryAfter = null)
    {
        if (status is >= 200 and < 300)
        {
            return Sent();
        }

        var error = detail is { Length: > 0 } ? $"HTTP {status}: {detail}" : $"HTTP {status}";
        return status is 408 or 429 or >= 500 ? Retry(error, retryAfter) : Reject(error);
    }
}

/// <summary>
/// Keeps secrets out of what is logged and stored: every configured token, webhook secret, secret URL (and its path)
/// and template value is replaced by <c>***</c>; control characters are escaped and the text is clipped.
/// </summary>
public sealed class SecretRedactor
{
    public const int MaxLength = 300;

    private readonly string[] _secrets;

    public SecretRedactor(NotifyOptions options)
    {
        var secrets = new List<string?>
        {
            options.Telegram.BotToken,
            options.Discord.WebhookUrl,
            options.Slack.WebhookUrl,
        };
        secrets.AddRange(PathsOf(options.Discord.WebhookUrl));
        secrets.AddRange(PathsOf(options.Slack.WebhookUrl));
        foreach (var webhook in options.Webhooks)
        {
            secrets.Add(webhook.Secret);
            secrets.Add(webhook.Url);
            secrets.AddRange(PathsOf(webhook.Url));
            secrets.AddRange(webhook.Values.Values);
        }

        // Longest first, so that a URL is hidden whole before its path is looked for; short values would hide ordinary words.
        _secrets = [.. secrets.OfType<string>().Select(s => s.Trim()).Where(s => s.Length >= 6).Distinct().OrderByDescending(s => s.Length)];
    }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var builder = new StringBuilder(text);
        foreach (var secret in _secrets)
        {
            builder.Replace(secret, "***");
        }

        return Printable.Escape(builder.ToString(), MaxLength);
    }

    /// <summary>A URL's path and query, where Discord and Slack (and many bridges) put the token.</summary>
    private static IEnumerable<string> PathsOf(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            yield break;
        }

        if (uri.PathAndQuery.Length > 1)
        {
            yield return uri.PathAndQuery;
        }

        foreach (var segment in uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s.Length >= 12))
        {
            yield return segment;
        }

        if (uri.Query.Length > 1)
        {
            yield return uri.Query[1..];
        }
    }
}
