using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Kyperian.Api.Application.Notifications;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Notify;

/// <summary>
/// A signed webhook: <c>POST {Url}</c> with the event as JSON (or the destination's template filled in) and
/// <c>X-Kyperian-Signature: sha256=&lt;hex HMAC-SHA256 of the exact body&gt;</c>, <c>X-Kyperian-Delivery: &lt;event id&gt;</c>
/// (the same on every retry: receivers deduplicate on it) and <c>X-Kyperian-Event: &lt;type&gt;</c>.
/// </summary>
public sealed class SignedWebhookSender(IOptions<NotifyOptions> options, TimeProvider time) : INotificationSender, IDisposable
{
    public const string SignatureHeader = "X-Kyperian-Signature";
    public const string DeliveryHeader = "X-Kyperian-Delivery";
    public const string EventHeader = "X-Kyperian-Event";

    private readonly HttpClient _http = NotifyHttp.CreateClient();
    private readonly IReadOnlyList<SignedWebhookOptions> _webhooks = options.Value.Webhooks;

    public DestinationKind Kind => DestinationKind.Webhook;

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of <paramref name="body"/> keyed with the UTF-8 secret.</summary>
    public static string Signature(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public async Task<SendResult> SendAsync(NotificationDestination destination, OutgoingNotification notification, CancellationToken cancellationToken)
    {
        var webhook = _webhooks[destination.WebhookIndex ?? throw new InvalidOperationException("A webhook destination without its index.")];
        var (body, contentType) = destination.Template is { } template
            ? (template.Render(notification.Event, notification.RawAlert, destination.Values), template.ContentType)
            : (notification.EventJson, "application/json");
        var bytes = Encoding.UTF8.GetBytes(body);

        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url!.Trim())
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType.Contains("charset", StringComparison.Ordinal) ? contentType : contentType + "; charset=utf-8");
        request.Headers.UserAgent.ParseAdd(NotifyHttp.UserAgent);
        request.Headers.TryAddWithoutValidation(SignatureHeader, Signature(webhook.Secret!, bytes));
        request.Headers.TryAddWithoutValidation(DeliveryHeader, notification.Event.Id);
        request.Headers.TryAddWithoutValidation(EventHeader, notification.Event.Type.Code());

        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return SendResult.Sent();
        }

        // A receiver's answer body is its own business (and may echo what it was sent): the status says enough.
        return SendResult.FromStatus((int)response.StatusCode, response.ReasonPhrase, NotifyHttp.RetryAfter(response, time.GetUtcNow()));
    }

    public void Dispose() => _http.Dispose();
}
