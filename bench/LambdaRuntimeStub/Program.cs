// Lambda Runtime API stub: measures cold start of an app as a real process.
//   LambdaRuntimeStub [--runs N] [--event file.json] [--expect STATUS] -- <command> [args...]
// For each run: start the command with AWS_LAMBDA_RUNTIME_API pointing here, time process start → first /next
// (init) and → the invocation's response POST (first answer), check the status, then kill the process.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

var runs = 10;
var eventFile = Path.Combine(AppContext.BaseDirectory, "webhook-event.json");
int? expect = null;
var separator = Array.IndexOf(args, "--");
if (separator < 0 || separator == args.Length - 1)
{
    Console.Error.WriteLine("usage: LambdaRuntimeStub [--runs N] [--event file.json] [--expect STATUS] -- <command> [args...]");
    return 2;
}

for (var i = 0; i < separator; i++)
{
    switch (args[i])
    {
        case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--event": eventFile = args[++i]; break;
        case "--expect": expect = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

var command = args[separator + 1];
var commandArgs = args[(separator + 2)..];
var eventJson = await File.ReadAllTextAsync(eventFile);

var state = new StubState();
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
var stub = builder.Build();
stub.MapGet("/2018-06-01/runtime/invocation/next", async (HttpContext ctx) =>
{
    state.Polled.TrySetResult(Stopwatch.GetTimestamp());
    if (Interlocked.Exchange(ref state.HandedOut, 1) == 1)
    {
        // One invocation per cold start: later polls wait until the process is killed.
        await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        return;
    }

    var invocation = await state.Next.Task.WaitAsync(ctx.RequestAborted);
    ctx.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
    ctx.Response.Headers["Lambda-Runtime-Deadline-Ms"] = DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
    ctx.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:eu-west-1:123456789012:function:kyperian-coldstart";
    ctx.Response.Headers["Lambda-Runtime-Trace-Id"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    ctx.Response.ContentType = "application/json";
    await ctx.Response.WriteAsync(invocation.Event);
});
stub.MapPost("/2018-06-01/runtime/invocation/{id}/response", async (string id, HttpContext ctx) =>
{
    var at = Stopwatch.GetTimestamp();
    using var reader = new StreamReader(ctx.Request.Body);
    state.Answered.TrySetResult((at, "response", await reader.ReadToEndAsync()));
    ctx.Response.StatusCode = StatusCodes.Status202Accepted;
});
stub.MapPost("/2018-06-01/runtime/invocation/{id}/error", async (string id, HttpContext ctx) =>
{
    using var reader = new StreamReader(ctx.Request.Body);
    state.Answered.TrySetResult((Stopwatch.GetTimestamp(), "error", await reader.ReadToEndAsync()));
    ctx.Response.StatusCode = StatusCodes.Status202Accepted;
});
stub.MapPost("/2018-06-01/runtime/init/error", async (HttpContext ctx) =>
{
    using var reader = new StreamReader(ctx.Request.Body);
    state.Answered.TrySetResult((Stopwatch.GetTimestamp(), "init-error", await reader.ReadToEndAsync()));
    ctx.Response.StatusCode = StatusCodes.Status202Accepted;
});
await stub.StartAsync();
var address = new Uri(stub.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()).Authority;

Console.WriteLine($"runtime API stub on {address}; {runs} cold starts of: {command} {string.Join(' ', commandArgs)}");
var firstAnswers = new List<double>();
var inits = new List<double>();
for (var run = 1; run <= runs; run++)
{
    state.Reset(new StubInvocation(Guid.NewGuid().ToString(), eventJson));
    var start = new ProcessStartInfo(command)
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };
    foreach (var arg in commandArgs)
    {
        start.ArgumentList.Add(arg);
    }

    start.Environment["AWS_LAMBDA_RUNTIME_API"] = address;
    var startedAt = Stopwatch.GetTimestamp();
    using var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { state.Stderr.Add(e.Data); } };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();

    // Init ends with the first /next, or with a report to /runtime/init/error.
    await Task.WhenAny(state.Polled.Task, state.Answered.Task).WaitAsync(TimeSpan.FromSeconds(60));
    var polledAt = state.Polled.Task.IsCompleted ? state.Polled.Task.Result : Stopwatch.GetTimestamp();
    state.Next.TrySetResult(state.Invocation);
    var (answeredAt, kind, body) = await state.Answered.Task.WaitAsync(TimeSpan.FromSeconds(60));

    var init = Stopwatch.GetElapsedTime(startedAt, polledAt).TotalMilliseconds;
    var first = Stopwatch.GetElapsedTime(startedAt, answeredAt).TotalMilliseconds;
    var status = kind == "response" ? JsonDocument.Parse(body).RootElement.GetProperty("statusCode").GetInt32() : 0;
    process.Kill(entireProcessTree: true);
    await process.WaitForExitAsync();

    if (kind != "response" || (expect is { } expected && status != expected))
    {
        Console.Error.WriteLine($"run {run}: unexpected {kind} {status}: {body}");
        foreach (var line in state.Stderr.Take(20))
        {
            Console.Error.WriteLine("  app: " + line);
        }

        return 1;
    }

    inits.Add(init);
    firstAnswers.Add(first);
    Console.WriteLine($"run {run,2}: init (start → first /next) {init,7:0.0} ms   first response {first,7:0.0} ms   status {status}");
}

Console.WriteLine($"median: init {Median(inits):0.0} ms, first response {Median(firstAnswers):0.0} ms (min {firstAnswers.Min():0.0}, max {firstAnswers.Max():0.0})");
await stub.StopAsync();
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

internal sealed record StubInvocation(string RequestId, string Event);

internal sealed class StubState
{
    public int HandedOut;

    public TaskCompletionSource<long> Polled { get; private set; } = new();
    public TaskCompletionSource<StubInvocation> Next { get; private set; } = new();
    public TaskCompletionSource<(long At, string Kind, string Body)> Answered { get; private set; } = new();
    public StubInvocation Invocation { get; private set; } = new("", "");
    public System.Collections.Concurrent.ConcurrentBag<string> Stderr { get; private set; } = [];

    public void Reset(StubInvocation invocation)
    {
        Invocation = invocation;
        HandedOut = 0;
        Polled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Stderr = [];
    }
}
