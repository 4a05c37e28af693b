using System.Text;
using System.Xml;
using System.Xml.Linq;
using Kyperian.Api.Application.Notifications;
using Kyperian.Api.Infrastructure.Aws;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Notify;

/// <summary>
/// SNS Publish over the Query protocol, signed with AWSSDK.Core's SigV4 signer (service <c>sns</c>) and the default
/// credential chain: <c>POST /</c>, form-encoded <c>Action=Publish&amp;Version=2010-03-31&amp;TopicArn&amp;Message</c>,
/// the event JSON as the message, its type as the <c>event</c> message attribute (for subscription filters). A FIFO
/// topic gets the event id as <c>MessageDeduplicationId</c>. The answer is XML: <c>PublishResponse/PublishResult/MessageId</c>,
/// or <c>ErrorResponse/Error/Code</c>. AWSSDK.SimpleNotificationService is not served by the registry this project
/// can reach; this is the part of it we need.
/// </summary>
public sealed class SnsSender : INotificationSender, IDisposable
{
    public const string Service = "sns";
    public const string ApiVersion = "2010-03-31";
    private const string ContentType = "application/x-www-form-urlencoded; charset=utf-8";

    /// <summary>Error codes that a later attempt can get past.</summary>
    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "Throttled", "Throttling", "ThrottlingException", "KMSThrottling", "InternalError", "InternalFailure",
        "ServiceUnavailable", "RequestExpired", "ExpiredToken", "RequestTimeout",
    };

    private readonly HttpClient _http;
    private readonly SnsTopic _topic;
    private readonly SignedAwsEndpoint _endpoint;
    private readonly TimeProvider _time;

    public SnsSender(IOptions<NotifyOptions> options, AwsCredentialsSource credentials, TimeProvider time)
    {
        var settings = options.Value;
        if (!SnsTopic.TryParse(settings.SnsTopicArn, out _topic))
        {
            throw new InvalidOperationException($"{NotifyOptions.Section}:SnsTopicArn is not an SNS topic ARN.");
        }

        _endpoint = new SignedAwsEndpoint(Service, _topic.Region, settings.Sns.ServiceUrl, credentials);
        _time = time;
        _http = NotifyHttp.CreateClient();
    }

    public DestinationKind Kind => DestinationKind.Sns;

    /// <summary>The form body of a Publish, in the order the SDK's marshaller writes it.</summary>
    public static string PublishBody(SnsTopic topic, NotificationEvent notification, string message)
    {
        var form = new List<(string, string)>
        {
            ("Action", "Publish"),
            ("Version", ApiVersion),
            ("Message", message),
            ("MessageAttributes.entry.1.Name", "event"),
            ("MessageAttributes.entry.1.Value.DataType", "String"),
            ("MessageAttributes.entry.1.Value.StringValue", notification.Type.Code()),
            ("Subject", Subject(notification)),
            ("TopicArn", topic.Arn),
        };
        if (topic.IsFifo)
        {
            form.Add(("MessageDeduplicationId", notification.Id));
            form.Add(("MessageGroupId", notification.Symbol ?? "kyperian"));
        }

        return string.Join('&', form.Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2)));
    }

    public async Task<SendResult> SendAsync(NotificationDestination destination, OutgoingNotification notification, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(PublishBody(_topic, notification.Event, notification.EventJson));
        using var request = await _endpoint.SignedPostAsync(body, ContentType, target: null, cancellationToken);
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await NotifyHttp.BodyTextAsync(response, cancellationToken);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return MessageId(text) is not null ? SendResult.Sent() : SendResult.Retry("SNS answered 2xx without a MessageId");
        }

        var (code, message) = Error(text);
        var detail = code is null ? null : message is null ? code : $"{code}: {message}";
        if (code is not null && TransientCodes.Contains(code))
        {
            return SendResult.Retry($"HTTP {status}: {detail}", NotifyHttp.RetryAfter(response, _time.GetUtcNow()));
        }

        return SendResult.FromStatus(status, detail);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>For e-mail subscribers: ASCII, one line, under 100 characters.</summary>
    private static string Subject(NotificationEvent notification)
    {
        var subject = $"Kyperian {notification.Type.Code()}{(notification.Symbol is { } symbol ? " " + symbol : "")}";
        var ascii = new string([.. subject.Where(c => c is >= ' ' and <= '~')]);
        return ascii.Length < 100 ? ascii : ascii[..99];
    }

    private static string? MessageId(string xml) =>
        Parse(xml)?.Descendants().FirstOrDefault(e => e.Name.LocalName == "MessageId")?.Value;

    private static (string? Code, string? Message) Error(string xml)
    {
        var error = Parse(xml)?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
        return (
            error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value,
            error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value);
    }

    private static XDocument? Parse(string xml)
    {
        if (xml.Length == 0)
        {
            return null;
        }

        try
        {
            return XDocument.Parse(xml);
        }
        catch (XmlException)
        {
            return null;
        }
    }
}
