using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kyperian.Api.Tests.Servers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kyperian.Api.Tests.Notify;

/// <summary>One request as a receiver saw it, stamped with the test's clock.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";

    public JsonNode Json => JsonNode.Parse(Body)!;
}

/// <summary>
/// Kestrel on 127.0.0.1:0 speaking one destination's wire format. Tests queue answers (<see cref="Then"/>) ahead of
/// the destination's usual one; <see cref="Hang"/> makes it accept requests and never answer.
/// </summary>
public abstract class LoopbackReceiver : IAsyncLifetime
{
    private readonly ConcurrentQueue<Func<HttpContext, ReceivedRequest, Task>> _script = new();
    private WebApplication? _app;

    public string Url { get; private set; } = "";

    /// <summary>The clock requests are stamped with: the delivery's fake clock, to see how long it waited.</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    public bool Hang { get; set; }

    /// <summary>Every request, answered or refused, in arrival order.</summary>
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>Requests this receiver took (answered 2xx).</summary>
    public ConcurrentQueue<ReceivedRequest> Accepted { get; } = new();

    /// <summary>Why requests were refused as malformed or unsigned: a test expects none.</summary>
    public ConcurrentQueue<string> Refusals { get; } = new();

    public LoopbackReceiver Then(Func<HttpContext, ReceivedRequest, Task> answer)
    {
        _script.Enqueue(answer);
        return this;
    }

    public LoopbackReceiver ThenStatus(int status, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            Then((context, _) =>
            {
                context.Response.StatusCode = status;
                return Task.CompletedTask;
            });
        }

        return this;
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        Url = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>Why the request is not in the destination's format (or not signed right), or null.</summary>
    protected abstract string? Check(HttpContext context, ReceivedRequest request);

    protected abstract Task AnswerAsync(HttpContext context, ReceivedRequest request);

    protected static async Task JsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new ReceivedRequest(context.Request.Path + context.Request.QueryString, headers, buffer.ToArray(), Clock());
        Requests.Enqueue(request);
        try
        {
            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return;
            }

            if (Check(context, request) is { } refusal)
            {
                Refusals.Enqueue(refusal);
                await RefuseAsync(context, refusal);
                return;
            }

            if (_script.TryDequeue(out var scripted))
            {
                await scripted(context, request);
            }
            else
            {
                await AnswerAsync(context, request);
            }

            if (context.Response.StatusCode is >= 200 and < 300)
            {
                Accepted.Enqueue(request);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
    }

    protected virtual Task RefuseAsync(HttpContext context, string refusal)
    {
        context.Response.StatusCode = 400;
        return context.Response.WriteAsync(refusal);
    }
}

/// <summary>
/// The Telegram Bot API's sendMessage: <c>POST /bot{token}/sendMessage</c>, JSON <c>chat_id</c> and <c>text</c>; answers
/// <c>{"ok":true,"result":{…}}</c>, a wrong token 401 <c>{"ok":false,"error_code":401,"description":"Unauthorized"}</c>.
/// </summary>
public sealed class TelegramReceiver(string token) : LoopbackReceiver
{
    private int _messageId;

    public string Token { get; } = token;

    /// <summary>The next answer is 429 with <c>parameters.retry_after</c>, as Telegram throttles a chat.</summary>
    public TelegramReceiver ThenTooManyRequests(int retryAfterSeconds)
    {
        Then((context, _) => JsonAsync(context, 429, new JsonObject
        {
            ["ok"] = false,
            ["error_code"] = 429,
            ["description"] = $"Too Many Requests: retry after {retryAfterSeconds}",
            ["parameters"] = new JsonObject { ["retry_after"] = retryAfterSeconds },
        }));
        return this;
    }

    protected override string? Check(HttpContext context, ReceivedRequest request)
    {
        if (request.Header("Content-Type").Split(';')[0] != "application/json")
        {
            return "sendMessage expects application/json";
        }

        var body = request.Json;
        return body["chat_id"] is null || body["text"]?.GetValue<string>() is not { Length: > 0 and <= 4096 }
            ? "chat_id and a text of 1-4096 characters are required"
            : null;
    }

    protected override Task AnswerAsync(HttpContext context, ReceivedRequest request)
    {
        if (request.Path != $"/bot{Token}/sendMessage")
        {
            return JsonAsync(context, 401, new JsonObject { ["ok"] = false, ["error_code"] = 401, ["description"] = "Unauthorized" });
        }

        var body = request.Json;
        return JsonAsync(context, 200, new JsonObject
        {
            ["ok"] = true,
            ["result"] = new JsonObject
            {
                ["message_id"] = Interlocked.Increment(ref _messageId),
                ["date"] = request.At.ToUnixTimeSeconds(),
                ["chat"] = new JsonObject { ["id"] = body["chat_id"]!.DeepClone(), ["type"] = "private" },
                ["text"] = body["text"]!.GetValue<string>(),
            },
        });
    }
}

/// <summary>A Discord webhook: JSON <c>content</c> of at most 2,000 characters; 204 No Content.</summary>
public sealed class DiscordReceiver : LoopbackReceiver
{
    public const string Path = "/api/webhooks/123456789012345678/discord-webhook-token-abcdefghijklmnop";

    /// <summary>The next answer is Discord's 429: <c>retry_after</c> in seconds in the body, and a Retry-After header.</summary>
    public DiscordReceiver ThenRateLimited(double retryAfterSeconds)
    {
        Then((context, _) =>
        {
            context.Response.Headers.RetryAfter = Math.Ceiling(retryAfterSeconds).ToString(CultureInfo.InvariantCulture);
            return JsonAsync(context, 429, new JsonObject
            {
                ["message"] = "You are being rate limited.",
                ["retry_after"] = retryAfterSeconds,
                ["global"] = false,
            });
        });
        return this;
    }

    protected override string? Check(HttpContext context, ReceivedRequest request) =>
        request.Header("Content-Type").Split(';')[0] != "application/json" ? "webhooks expect application/json"
        : request.Json["content"]?.GetValue<string>() is not { Length: > 0 and <= 2000 } ? "content of 1-2000 characters is required"
        : null;

    protected override Task AnswerAsync(HttpContext context, ReceivedRequest request)
    {
        if (request.Path != Path)
        {
            return JsonAsync(context, 404, new JsonObject { ["message"] = "Unknown Webhook", ["code"] = 10015 });
        }

        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }
}

/// <summary>A Slack incoming webhook: JSON <c>text</c>; 200 <c>ok</c>, errors as plain-text codes.</summary>
public sealed class SlackReceiver : LoopbackReceiver
{
    public const string Path = "/services/T00000000/B00000000/slackwebhooktokenXXXXXXXX";

    public SlackReceiver ThenRetryAfter(int seconds)
    {
        Then((context, _) =>
        {
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return context.Response.WriteAsync("rate_limited");
        });
        return this;
    }

    protected override string? Check(HttpContext context, ReceivedRequest request) =>
        request.Header("Content-Type").Split(';')[0] != "application/json" ? "invalid_payload"
        : request.Json["text"]?.GetValue<string>() is not { Length: > 0 } ? "no_text"
        : null;

    protected override Task AnswerAsync(HttpContext context, ReceivedRequest request)
    {
        if (request.Path != Path)
        {
            context.Response.StatusCode = 404;
            return context.Response.WriteAsync("no_service");
        }

        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync("ok");
    }
}

/// <summary>
/// A receiver of Kyperian's signed webhooks, as its README tells one to be written: it recomputes
/// <c>sha256=hex(HMAC-SHA256(secret, body))</c> over the bytes received and refuses (401) a mismatch.
/// </summary>
public sealed class WebhookReceiver(string secret) : LoopbackReceiver
{
    protected override string? Check(HttpContext context, ReceivedRequest request)
    {
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), request.Body));
        var signature = request.Header("X-Kyperian-Signature");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return "bad signature";
        }

        return request.Header("X-Kyperian-Delivery").Length == 0 || request.Header("X-Kyperian-Event").Length == 0
            ? "X-Kyperian-Delivery and X-Kyperian-Event are required"
            : null;
    }

    protected override Task RefuseAsync(HttpContext context, string refusal)
    {
        context.Response.StatusCode = 401;
        return context.Response.WriteAsync(refusal);
    }

    protected override Task AnswerAsync(HttpContext context, ReceivedRequest request)
    {
        context.Response.StatusCode = 200;
        return Task.CompletedTask;
    }
}

/// <summary>
/// SNS Publish over the Query protocol: a form-encoded POST whose SigV4 signature (service <c>sns</c>) must verify;
/// answers <c>PublishResponse</c> XML with a MessageId, or <c>ErrorResponse</c> XML.
/// </summary>
public sealed class SnsReceiver : LoopbackReceiver
{
    public const string TopicArn = "arn:aws:sns:us-east-1:123456789012:kyperian-test";

    public static Dictionary<string, string> Form(ReceivedRequest request) =>
        QueryHelpers.ParseQuery(request.Text).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);

    public SnsReceiver ThenError(int status, string code, string message)
    {
        Then((context, _) => XmlAsync(context, status, ErrorXml(code, message)));
        return this;
    }

    protected override string? Check(HttpContext context, ReceivedRequest request)
    {
        if (request.Header("Content-Type").Split(';')[0] != "application/x-www-form-urlencoded")
        {
            return "Publish is form-encoded";
        }

        if (SigV4Verifier.Verify(context.Request, request.Body, "sns") is { } failure)
        {
            return "signature: " + failure;
        }

        var form = Form(request);
        return form.GetValueOrDefault("Action") != "Publish" || form.GetValueOrDefault("Version") != "2010-03-31"
            ? "Action=Publish and Version=2010-03-31 are required"
            : form.GetValueOrDefault("TopicArn") is not { Length: > 0 } || form.GetValueOrDefault("Message") is not { Length: > 0 }
            ? "TopicArn and Message are required"
            : null;
    }

    protected override Task RefuseAsync(HttpContext context, string refusal) =>
        XmlAsync(context, 403, ErrorXml("SignatureDoesNotMatch", refusal));

    protected override Task AnswerAsync(HttpContext context, ReceivedRequest request) =>
        XmlAsync(context, 200, $"""
            <PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
              <PublishResult><MessageId>{Guid.NewGuid()}</MessageId></PublishResult>
              <ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata>
            </PublishResponse>
            """);

    private static string ErrorXml(string code, string message) => $"""
        <ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
          <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
          <RequestId>{Guid.NewGuid()}</RequestId>
        </ErrorResponse>
        """;

    private static async Task XmlAsync(HttpContext context, int status, string xml)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync(xml);
    }
}
