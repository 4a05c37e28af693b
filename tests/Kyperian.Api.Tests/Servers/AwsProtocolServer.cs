using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kyperian.Api.Tests.Servers;

/// <summary>
/// A loopback stand-in for EventBridge, SQS and Parameter Store: Kestrel on 127.0.0.1:0 speaking their JSON protocols
/// (<c>X-Amz-Target</c> AWSEvents.*, AmazonSQS.* over AWS JSON 1.0, AmazonSSM.*), refusing any request whose SigV4
/// signature does not verify, and answering in the shapes of the AWS API reference's examples.
/// </summary>
public sealed class AwsProtocolServer : IAsyncLifetime
{
    private WebApplication? _app;

    public string Url { get; private set; } = "";

    /// <summary>Every target called, in order, with its verified signature's service.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Requests refused because their signature did not verify, and why.</summary>
    public ConcurrentQueue<string> SignatureFailures { get; } = new();

    public EventBridgeBehaviour EventBridge { get; } = new();

    public SqsQueue Sqs { get; } = new();

    public ParameterStore Ssm { get; } = new();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        Url = addresses.Addresses.First();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var (service, contentType) = target.Split('.')[0] switch
        {
            "AWSEvents" => ("events", "application/x-amz-json-1.1"),
            "AmazonSQS" => ("sqs", "application/x-amz-json-1.0"),
            "AmazonSSM" => ("ssm", "application/x-amz-json-1.1"),
            _ => ("", ""),
        };
        if (service.Length == 0)
        {
            await ErrorAsync(context, 400, "UnknownOperationException", $"Unknown target '{target}'", "application/json");
            return;
        }

        if (context.Request.ContentType != contentType)
        {
            await ErrorAsync(context, 400, "SerializationException", $"Content-Type {context.Request.ContentType}, expected {contentType}", contentType);
            return;
        }

        if (SigV4Verifier.Verify(context.Request, body, service) is { } failure)
        {
            SignatureFailures.Enqueue($"{target}: {failure}");
            await ErrorAsync(context, 403, service == "sqs" ? "com.amazonaws.sqs#SignatureDoesNotMatch" : "SignatureDoesNotMatch", failure, contentType);
            return;
        }

        Calls.Enqueue(target);
        var request = JsonNode.Parse(body.Length == 0 ? "{}"u8 : body)!.AsObject();
        var operation = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var (status, answer) = service switch
        {
            "events" => EventBridge.Handle(operation, request),
            "sqs" => await Sqs.HandleAsync(operation, request, context.RequestAborted),
            _ => Ssm.Handle(operation, request),
        };

        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (status >= 400 && service == "sqs" && answer["__type"]?.GetValue<string>() is { } type)
        {
            context.Response.Headers["x-amzn-query-error"] = type.Split('#')[^1] + ";Sender";
        }

        await context.Response.WriteAsync(answer.ToJsonString());
    }

    private static async Task ErrorAsync(HttpContext context, int status, string type, string message, string contentType)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString());
    }

    internal static JsonObject Error(string type, string message) => new() { ["__type"] = type, ["message"] = message };
}

/// <summary>
/// PutEvents as the API reference shows it: a 200 with <c>FailedEntryCount</c> and one result per entry, in order,
/// an <c>EventId</c> or an <c>ErrorCode</c>/<c>ErrorMessage</c>. Tests decide which entries fail.
/// </summary>
public sealed class EventBridgeBehaviour
{
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private int _callsToFail;
    private SqsQueue? _ruleQueue;
    private string? _ruleSource;

    /// <summary>Every entry received, in order of arrival.</summary>
    public ConcurrentQueue<JsonObject> Entries { get; } = new();

    public int PutEventsCalls;

    /// <summary>Given an entry's Detail and how many times it arrived (1 first), an error code to fail it with, or null.</summary>
    public Func<string, int, string?> FailEntry { get; set; } = static (_, _) => null;

    /// <summary>The next N PutEvents calls are answered 500 InternalFailure as a whole.</summary>
    public void FailNextCalls(int count) => Interlocked.Exchange(ref _callsToFail, count);

    public int AttemptsOf(string detail) => _attempts.GetValueOrDefault(detail);

    /// <summary>
    /// Given the PutEvents call's number (1 first), an error code to fail the whole call with, or null:
    /// <c>ThrottlingException</c> is answered 400, anything else 500, as EventBridge does.
    /// </summary>
    public Func<int, string?> FailCall { get; set; } = static _ => null;

    /// <summary>
    /// A rule: each entry taken whose Source is the rule's source is delivered to its queue as the
    /// envelope an SQS target receives (<c>{version:"0", id, detail-type, source, account, time, region, resources,
    /// detail}</c>, <c>detail</c> a JSON object).
    /// </summary>
    /// <summary>The Detail of every entry the rule delivered to its queue.</summary>
    public ConcurrentQueue<string> Forwarded { get; } = new();

    public void ForwardTo(SqsQueue queue, string source = "kyperian.webhook")
    {
        _ruleQueue = queue;
        _ruleSource = source;
    }

    private void Deliver(JsonObject entry, string eventId)
    {
        if (_ruleQueue is null || entry["Source"]?.GetValue<string>() != _ruleSource)
        {
            return;
        }

        Forwarded.Enqueue(entry["Detail"]!.GetValue<string>());
        var time = entry["Time"] is { } t ? t.DeepClone() : DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        _ruleQueue.Send(new JsonObject
        {
            ["version"] = "0",
            ["id"] = eventId,
            ["detail-type"] = entry["DetailType"]!.GetValue<string>(),
            ["source"] = entry["Source"]!.GetValue<string>(),
            ["account"] = "123456789012",
            ["time"] = time,
            ["region"] = "us-east-1",
            ["resources"] = entry["Resources"]?.DeepClone() ?? new JsonArray(),
            ["detail"] = JsonNode.Parse(entry["Detail"]!.GetValue<string>()),
        }.ToJsonString());
    }

    internal (int, JsonObject) Handle(string operation, JsonObject request)
    {
        switch (operation)
        {
            case "PutEvents":
                var call = Interlocked.Increment(ref PutEventsCalls);
                if (Interlocked.Decrement(ref _callsToFail) >= 0)
                {
                    return (500, AwsProtocolServer.Error("InternalFailure", "The request processing has failed because of an unknown error."));
                }

                if (FailCall(call) is { } callError)
                {
                    return callError == "ThrottlingException"
                        ? (400, AwsProtocolServer.Error(callError, "Rate exceeded"))
                        : (500, AwsProtocolServer.Error(callError, "The request processing has failed because of an unknown error."));
                }

                var entries = request["Entries"]!.AsArray();
                if (entries.Count is 0 or > 10)
                {
                    return (400, AwsProtocolServer.Error("ValidationException", "1 validation error detected: Entries must have length between 1 and 10."));
                }

                var results = new JsonArray();
                var failed = 0;
                foreach (var node in entries)
                {
                    var entry = node!.AsObject();
                    Entries.Enqueue((JsonObject)entry.DeepClone());
                    var detail = entry["Detail"]!.GetValue<string>();
                    JsonDocument.Parse(detail).Dispose();
                    var attempt = _attempts.AddOrUpdate(detail, 1, static (_, n) => n + 1);
                    if (FailEntry(detail, attempt) is { } code)
                    {
                        failed++;
                        results.Add(new JsonObject
                        {
                            ["ErrorCode"] = code,
                            ["ErrorMessage"] = code == "ThrottlingException" ? "Rate exceeded" : "Internal failure",
                        });
                    }
                    else
                    {
                        var eventId = Guid.NewGuid().ToString();
                        results.Add(new JsonObject { ["EventId"] = eventId });
                        Deliver(entry, eventId);
                    }
                }

                return (200, new JsonObject { ["FailedEntryCount"] = failed, ["Entries"] = results });
            case "DescribeEventBus":
                var name = request["Name"]?.GetValue<string>() ?? "default";
                return (200, new JsonObject
                {
                    ["Name"] = name,
                    ["Arn"] = $"arn:aws:events:us-east-1:123456789012:event-bus/{name}",
                });
            default:
                return (400, AwsProtocolServer.Error("UnknownOperationException", operation));
        }
    }
}

/// <summary>
/// One SQS queue with a redrive policy: visibility timeouts, receive counts, and a message received more than
/// <see cref="MaxReceiveCount"/> times moved to the dead-letter queue, as SQS does.
/// </summary>
public sealed class SqsQueue
{
    private readonly Lock _gate = new();
    private readonly List<QueuedMessage> _messages = [];
    private readonly SemaphoreSlim _arrived = new(0);

    public int MaxReceiveCount { get; set; } = 3;

    /// <summary>The longest this server holds a long poll, whatever WaitTimeSeconds asks: the tests are short.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMilliseconds(500);

    public ConcurrentQueue<string> DeadLetters { get; } = new();

    public ConcurrentQueue<string> Deleted { get; } = new();

    /// <summary>Every ChangeMessageVisibility: message id and seconds.</summary>
    public ConcurrentQueue<(string MessageId, int Seconds)> VisibilityChanges { get; } = new();

    public ConcurrentQueue<JsonObject> ReceiveRequests { get; } = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count;
            }
        }
    }

    public string Send(string body)
    {
        var message = new QueuedMessage(Guid.NewGuid().ToString(), body);
        lock (_gate)
        {
            _messages.Add(message);
        }

        _arrived.Release();
        return message.Id;
    }

    internal async Task<(int, JsonObject)> HandleAsync(string operation, JsonObject request, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case "ReceiveMessage":
                ReceiveRequests.Enqueue((JsonObject)request.DeepClone());
                var max = request["MaxNumberOfMessages"]?.GetValue<int>() ?? 1;
                var wait = TimeSpan.FromSeconds(request["WaitTimeSeconds"]?.GetValue<int>() ?? 0);
                var visibility = request["VisibilityTimeout"]?.GetValue<int>() ?? 30;
                var deadline = DateTime.UtcNow + (wait < MaxWait ? wait : MaxWait);
                while (true)
                {
                    var received = Receive(max, visibility);
                    if (received.Count > 0 || DateTime.UtcNow >= deadline)
                    {
                        return (200, received.Count == 0 ? new JsonObject() : new JsonObject { ["Messages"] = received });
                    }

                    var left = deadline - DateTime.UtcNow;
                    await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50), cancellationToken);
                }

            case "DeleteMessage":
                lock (_gate)
                {
                    var receipt = request["ReceiptHandle"]!.GetValue<string>();
                    var message = _messages.FirstOrDefault(m => m.ReceiptHandle == receipt);
                    if (message is null)
                    {
                        return (400, AwsProtocolServer.Error("com.amazonaws.sqs#ReceiptHandleIsInvalid", "The input receipt handle is invalid."));
                    }

                    _messages.Remove(message);
                    Deleted.Enqueue(message.Id);
                }

                return (200, new JsonObject());
            case "ChangeMessageVisibility":
                lock (_gate)
                {
                    var receipt = request["ReceiptHandle"]!.GetValue<string>();
                    var seconds = request["VisibilityTimeout"]!.GetValue<int>();
                    var message = _messages.FirstOrDefault(m => m.ReceiptHandle == receipt);
                    if (message is null)
                    {
                        return (400, AwsProtocolServer.Error("com.amazonaws.sqs#ReceiptHandleIsInvalid", "The input receipt handle is invalid."));
                    }

                    message.VisibleAt = DateTime.UtcNow.AddSeconds(seconds);
                    VisibilityChanges.Enqueue((message.Id, seconds));
                }

                if (request["VisibilityTimeout"]!.GetValue<int>() == 0)
                {
                    _arrived.Release();
                }

                return (200, new JsonObject());
            case "GetQueueAttributes":
                return (200, new JsonObject
                {
                    ["Attributes"] = new JsonObject { ["ApproximateNumberOfMessages"] = Count.ToString(CultureInfo.InvariantCulture) },
                });
            default:
                return (400, AwsProtocolServer.Error("com.amazonaws.sqs#UnsupportedOperation", operation));
        }
    }

    private JsonArray Receive(int max, int visibilitySeconds)
    {
        var result = new JsonArray();
        lock (_gate)
        {
            var now = DateTime.UtcNow;
            foreach (var message in _messages.ToList())
            {
                if (result.Count >= max)
                {
                    break;
                }

                if (message.VisibleAt > now)
                {
                    continue;
                }

                if (message.ReceiveCount >= MaxReceiveCount)
                {
                    // The redrive policy: received maxReceiveCount times without being deleted.
                    _messages.Remove(message);
                    DeadLetters.Enqueue(message.Id);
                    continue;
                }

                message.ReceiveCount++;
                message.ReceiptHandle = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
                message.VisibleAt = now.AddSeconds(visibilitySeconds);
                result.Add(new JsonObject
                {
                    ["MessageId"] = message.Id,
                    ["ReceiptHandle"] = message.ReceiptHandle,
                    ["MD5OfBody"] = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(message.Body))),
                    ["Body"] = message.Body,
                    ["Attributes"] = new JsonObject
                    {
                        ["ApproximateReceiveCount"] = message.ReceiveCount.ToString(CultureInfo.InvariantCulture),
                        ["SentTimestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                    },
                });
            }
        }

        return result;
    }

    private sealed class QueuedMessage(string id, string body)
    {
        public string Id { get; } = id;

        public string Body { get; } = body;

        public int ReceiveCount { get; set; }

        public string? ReceiptHandle { get; set; }

        public DateTime VisibleAt { get; set; } = DateTime.MinValue;
    }
}

/// <summary>
/// GetParametersByPath as the API reference shows it: <c>Parameters</c> (Name, Type, Value, Version, LastModifiedDate,
/// ARN, DataType), a <c>NextToken</c> while more remain, and SecureStrings decrypted only WithDecryption.
/// </summary>
public sealed class ParameterStore
{
    private readonly ConcurrentDictionary<string, (string Type, string Value)> _parameters = new(StringComparer.Ordinal);

    /// <summary>At most this many per page, whatever MaxResults asks: forces pagination in the tests.</summary>
    public int PageSize { get; set; } = 3;

    public int Pages;

    public void Put(string name, string value, string type = "String") => _parameters[name] = (type, value);

    internal (int, JsonObject) Handle(string operation, JsonObject request)
    {
        if (operation != "GetParametersByPath")
        {
            return (400, AwsProtocolServer.Error("UnknownOperationException", operation));
        }

        Interlocked.Increment(ref Pages);
        var path = request["Path"]!.GetValue<string>().TrimEnd('/') + "/";
        var recursive = request["Recursive"]?.GetValue<bool>() ?? false;
        var decrypt = request["WithDecryption"]?.GetValue<bool>() ?? false;
        var size = Math.Min(request["MaxResults"]?.GetValue<int>() ?? 10, PageSize);
        var start = request["NextToken"]?.GetValue<string>() is { } token ? int.Parse(token, CultureInfo.InvariantCulture) : 0;
        var matching = _parameters
            .Where(p => p.Key.StartsWith(path, StringComparison.Ordinal) && (recursive || !p.Key[path.Length..].Contains('/')))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        var page = new JsonArray();
        foreach (var (name, (type, value)) in matching.Skip(start).Take(size))
        {
            page.Add(new JsonObject
            {
                ["Name"] = name,
                ["Type"] = type,
                ["Value"] = type == "SecureString" && !decrypt ? Convert.ToBase64String(Encoding.UTF8.GetBytes("kms:" + value)) : value,
                ["Version"] = 1,
                ["LastModifiedDate"] = 1.7e9,
                ["ARN"] = $"arn:aws:ssm:us-east-1:123456789012:parameter{name}",
                ["DataType"] = "text",
            });
        }

        var answer = new JsonObject { ["Parameters"] = page };
        if (start + size < matching.Count)
        {
            answer["NextToken"] = (start + size).ToString(CultureInfo.InvariantCulture);
        }

        return (200, answer);
    }
}
