using System.Globalization;
using System.Text.Json;
using Kyperian.Api.Application.Notifications;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Notify;

/// <summary>
/// Telegram Bot API: <c>POST {BaseUrl}/bot{token}/sendMessage</c> with JSON <c>chat_id</c> and <c>text</c>. The answer is
/// <c>{"ok":true,…}</c>, or <c>{"ok":false,"error_code","description","parameters":{"retry_after"}}</c> with the same
/// HTTP status; a 429 says in <c>retry_after</c> how many seconds to wait.
/// </summary>
public sealed class TelegramSender(IOptions<NotifyOptions> options, TimeProvider time) : INotificationSender, IDisposable
{
    /// <summary>Telegram's limit for one message's text.</summary>
    public const int MaxText = 4_096;

    private readonly HttpClient _http = NotifyHttp.CreateClient();
    private readonly TelegramOptions _telegram = options.Value.Telegram;

    public DestinationKind Kind => DestinationKind.Telegram;

    public async Task<SendResult> SendAsync(NotificationDestination destination, OutgoingNotification notification, CancellationToken cancellationToken)
    {
        var chat = _telegram.ChatId!.Trim();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_telegram.BaseUrl.TrimEnd('/')}/bot{_telegram.BotToken!.Trim()}/sendMessage")
        {
            Content = NotifyHttp.Json(json =>
            {
                // A numeric id goes as a number, a @channel name as a string: the API takes both.
                if (long.TryParse(chat, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
                {
                    json.WriteNumber("chat_id", id);
                }
                else
                {
                    json.WriteString("chat_id", chat);
                }

                json.WriteString("text", NotifyHttp.Clip(notification.Event.Message, MaxText));
                json.WriteBoolean("disable_web_page_preview", true);
            }),
        };
        request.Headers.UserAgent.ParseAdd(NotifyHttp.UserAgent);

        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await NotifyHttp.BodyTextAsync(response, cancellationToken);
        using var answer = NotifyHttp.TryParseJson(text);
        var root = answer?.RootElement;
        var ok = root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("ok", out var okValue) && okValue.ValueKind == JsonValueKind.True;
        if (response.IsSuccessStatusCode && ok)
        {
            return SendResult.Sent();
        }

        string? description = null;
        TimeSpan? retryAfter = null;
        var status = (int)response.StatusCode;
        if (root is { ValueKind: JsonValueKind.Object } error)
        {
            description = error.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            if (error.TryGetProperty("error_code", out var code) && code.TryGetInt32(out var errorCode))
            {
                status = errorCode;
            }

            if (error.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
                && parameters.TryGetProperty("retry_after", out var wait))
            {
                retryAfter = NotifyHttp.Seconds(wait);
            }
        }

        // A 200 that is not ok (never documented, but not a success either) is retried.
        if (status is >= 200 and < 300)
        {
            return SendResult.Retry("Telegram answered without ok: true");
        }

        return SendResult.FromStatus(status, description, retryAfter ?? NotifyHttp.RetryAfter(response, time.GetUtcNow()));
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// A Discord webhook: <c>POST {WebhookUrl}</c> with JSON <c>content</c> (at most 2,000 characters) and no mentions
/// allowed (a symbol or comment must not ping @everyone); 204 or 200 is taken. A 429 carries <c>retry_after</c> in
/// seconds in its JSON body, and a Retry-After header.
/// </summary>
public sealed class DiscordSender(IOptions<NotifyOptions> options, TimeProvider time) : INotificationSender, IDisposable
{
    public const int MaxContent = 2_000;

    private readonly HttpClient _http = NotifyHttp.CreateClient();
    private readonly string _url = options.Value.Discord.WebhookUrl?.Trim() ?? "";

    public DestinationKind Kind => DestinationKind.Discord;

    public async Task<SendResult> SendAsync(NotificationDestination destination, OutgoingNotification notification, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url)
        {
            Content = NotifyHttp.Json(json =>
            {
                json.WriteString("content", NotifyHttp.Clip(notification.Event.Message, MaxContent));
                json.WriteStartObject("allowed_mentions");
                json.WriteStartArray("parse");
                json.WriteEndArray();
                json.WriteEndObject();
            }),
        };
        request.Headers.UserAgent.ParseAdd(NotifyHttp.UserAgent);

        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return SendResult.Sent();
        }

        var text = await NotifyHttp.BodyTextAsync(response, cancellationToken);
        using var answer = NotifyHttp.TryParseJson(text);
        string? message = null;
        TimeSpan? retryAfter = null;
        if (answer?.RootElement is { ValueKind: JsonValueKind.Object } error)
        {
            message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            if (error.TryGetProperty("retry_after", out var wait))
            {
                retryAfter = NotifyHttp.Seconds(wait);
            }
        }

        return SendResult.FromStatus((int)response.StatusCode, message, retryAfter ?? NotifyHttp.RetryAfter(response, time.GetUtcNow()));
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// A Slack incoming webhook: <c>POST {WebhookUrl}</c> with JSON <c>text</c>; 200 <c>ok</c> is taken. Errors are a
/// plain-text code (<c>invalid_token</c>, <c>channel_not_found</c>…); a 429 has a Retry-After header.
/// </summary>
public sealed class SlackSender(IOptions<NotifyOptions> options, TimeProvider time) : INotificationSender, IDisposable
{
    private readonly HttpClient _http = NotifyHttp.CreateClient();
    private readonly string _url = options.Value.Slack.WebhookUrl?.Trim() ?? "";

    public DestinationKind Kind => DestinationKind.Slack;

    public async Task<SendResult> SendAsync(NotificationDestination destination, OutgoingNotification notification, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url)
        {
            Content = NotifyHttp.Json(json => json.WriteString("text", notification.Event.Message)),
        };
        request.Headers.UserAgent.ParseAdd(NotifyHttp.UserAgent);

        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return SendResult.Sent();
        }

        var text = await NotifyHttp.BodyTextAsync(response, cancellationToken);
        return SendResult.FromStatus((int)response.StatusCode, text.Length <= 80 ? text : null, NotifyHttp.RetryAfter(response, time.GetUtcNow()));
    }

    public void Dispose() => _http.Dispose();
}
