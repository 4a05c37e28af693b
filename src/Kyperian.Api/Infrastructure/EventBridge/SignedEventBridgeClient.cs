using System.Net;
using System.Text.Json;
using Kyperian.Api.Infrastructure.Aws;
using Kyperian.Api.Infrastructure.Resilience;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.EventBridge;

/// <summary>
/// PutEvents over HTTP, signed with AWSSDK.Core's SigV4 signer (service <c>events</c>) and the default credential
/// chain: <c>POST /</c>, <c>Content-Type: application/x-amz-json-1.1</c>, <c>X-Amz-Target: AWSEvents.PutEvents</c>.
/// AWSSDK.EventBridge is not served by the registry this project can reach; this is the part of it we need.
/// </summary>
public sealed class SignedEventBridgeClient : IPutEventsClient, IDisposable
{
    private const string ContentType = "application/x-amz-json-1.1";

    private readonly HttpClient _http;
    private readonly SignedAwsEndpoint _endpoint;

    public SignedEventBridgeClient(IOptions<EventBridgeOptions> options, AwsCredentialsSource credentials)
    {
        var settings = options.Value;
        _endpoint = new SignedAwsEndpoint("events", AwsCredentialsSource.ResolveRegion(settings.Region), settings.ServiceUrl, credentials);

        // Redirects would replay a signature for another request (the signer's docs say so); timeouts are Polly's.
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<PutEventsResult> PutEventsAsync(IReadOnlyList<PutEventsEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count is 0 or > PutEventsEntry.MaxBatchEntries)
        {
            throw new ArgumentOutOfRangeException(nameof(entries), entries.Count, "PutEvents takes 1 to 10 entries.");
        }

        var request = new PutEventsWireRequest(
        [
            .. entries.Select(e => new PutEventsWireEntry(
                e.Source,
                e.DetailType,
                e.Detail,
                e.EventBusName,
                e.Time is { } time ? time.ToUnixTimeMilliseconds() / 1000.0 : null,
                e.Resources is { Count: > 0 } resources ? [.. resources] : null)),
        ]);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, EventBridgeWireContext.Default.PutEventsWireRequest);
        var answer = await SendAsync("AWSEvents.PutEvents", body, cancellationToken);
        var response = JsonSerializer.Deserialize(answer, EventBridgeWireContext.Default.PutEventsWireResponse)
            ?? throw new InvalidDataException("PutEvents answered an empty body.");
        var results = response.Entries ?? [];
        if (results.Count != entries.Count)
        {
            throw new InvalidDataException($"PutEvents answered {results.Count} entries for {entries.Count}.");
        }

        return new PutEventsResult(
            response.FailedEntryCount,
            [.. results.Select(r => new PutEventsResultEntry(r.EventId, r.ErrorCode, r.ErrorMessage))]);
    }

    public async Task DescribeEventBusAsync(string name, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new DescribeEventBusWireRequest(name), EventBridgeWireContext.Default.DescribeEventBusWireRequest);
        await SendAsync("AWSEvents.DescribeEventBus", body, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<byte[]> SendAsync(string target, byte[] body, CancellationToken cancellationToken)
    {
        using var message = await _endpoint.SignedPostAsync(body, ContentType, target, cancellationToken);
        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return answer;
        }

        throw Error(response.StatusCode, answer);
    }

    private static AwsHttpException Error(HttpStatusCode status, byte[] body)
    {
        string? code = null;
        string? text = null;
        try
        {
            if (body.Length > 0 && JsonSerializer.Deserialize(body, EventBridgeWireContext.Default.AwsWireError) is { } error)
            {
                code = error.Type;
                text = error.Message ?? error.MessageUpper;
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page): the status says enough.
        }

        // "com.amazonaws.events#ThrottlingException" and "ThrottlingException:http://..." name the same error.
        if (code is not null)
        {
            var hash = code.LastIndexOf('#');
            code = hash >= 0 ? code[(hash + 1)..] : code;
            var colon = code.IndexOf(':', StringComparison.Ordinal);
            code = colon >= 0 ? code[..colon] : code;
        }

        return new AwsHttpException(status, code, text ?? status.ToString());
    }
}
