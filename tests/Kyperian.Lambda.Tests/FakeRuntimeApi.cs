using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kyperian.Lambda.Tests;

/// <summary>What the runtime posted back to the fake Runtime API.</summary>
public sealed record RuntimePost(string Kind, string? RequestId, string? ContentType, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>One event the fake Runtime API hands out from /next.</summary>
public sealed record QueuedInvocation(string RequestId, string Event, DateTimeOffset Deadline, string? TraceId, int? FailWithStatus = null);

/// <summary>
/// A fake Lambda Runtime API (version 2018-06-01): a real Kestrel server on a free loopback port that queues events
/// for <c>/runtime/invocation/next</c> and records what the runtime posts back.
/// </summary>
public sealed class FakeRuntimeApi : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime";
    public const string FunctionArn = "arn:aws:lambda:eu-west-1:123456789012:function:kyperian-test";

    private readonly Channel<QueuedInvocation> _queue = Channel.CreateUnbounded<QueuedInvocation>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RuntimePost>> _answers = new();
    private readonly TaskCompletionSource<RuntimePost> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _app = null!;
    private int _nextCalls;

    private FakeRuntimeApi()
    {
    }

    /// <summary>The value for AWS_LAMBDA_RUNTIME_API.</summary>
    public string Address { get; private set; } = "";

    public int NextCalls => Volatile.Read(ref _nextCalls);

    public Task<RuntimePost> InitError => _initError.Task;

    public static async Task<FakeRuntimeApi> StartAsync()
    {
        var fake = new FakeRuntimeApi();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet(Prefix + "/invocation/next", fake.NextAsync);
        app.MapPost(Prefix + "/invocation/{id}/response", (string id, HttpContext ctx) => fake.RecordAsync("response", id, ctx));
        app.MapPost(Prefix + "/invocation/{id}/error", (string id, HttpContext ctx) => fake.RecordAsync("error", id, ctx));
        app.MapPost(Prefix + "/init/error", (HttpContext ctx) => fake.RecordAsync("init-error", null, ctx));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        fake.Address = new Uri(address).Authority;
        fake._app = app;
        return fake;
    }

    /// <summary>Queues an event and returns what the runtime answers for it (response or error).</summary>
    public Task<RuntimePost> InvokeAsync(string eventJson, DateTimeOffset? deadline = null, string? traceId = null)
    {
        var invocation = new QueuedInvocation(
            Guid.NewGuid().ToString(),
            eventJson,
            deadline ?? DateTimeOffset.UtcNow.AddSeconds(30),
            traceId ?? NewTraceId());
        return Enqueue(invocation);
    }

    public static string NewTraceId()
        => $"Root=1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{Guid.NewGuid().ToString("N")[..24]};Parent=53995c3f42cd8ad8;Sampled=1";

    public Task<RuntimePost> Enqueue(QueuedInvocation invocation)
    {
        var answer = _answers.GetOrAdd(invocation.RequestId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Writer.TryWrite(invocation);
        return answer.Task.WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>Makes the next /next answer a status (500: the sandbox is broken).</summary>
    public void FailNextPoll(int status) => _queue.Writer.TryWrite(new QueuedInvocation("-", "", DateTimeOffset.MaxValue, null, status));

    private async Task NextAsync(HttpContext context)
    {
        Interlocked.Increment(ref _nextCalls);
        QueuedInvocation invocation;
        try
        {
            invocation = await _queue.Reader.ReadAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return; // the runtime stopped polling
        }

        if (invocation.FailWithStatus is { } status)
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsync("""{"errorMessage":"sandbox broken","errorType":"Runtime.Failure"}""");
            return;
        }

        var headers = context.Response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = invocation.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = FunctionArn;
        if (invocation.TraceId is not null)
        {
            headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(invocation.Event);
    }

    private async Task RecordAsync(string kind, string? requestId, HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var post = new RuntimePost(kind, requestId, context.Request.ContentType, headers, body);
        if (requestId is null)
        {
            _initError.TrySetResult(post);
        }
        else
        {
            _answers.GetOrAdd(requestId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(post);
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
