using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Kyperian.Lambda.Tests;

/// <summary>The Runtime API contract: errors, start-up failures, a broken sandbox, deadlines, trace ids, scopes.</summary>
public sealed class RuntimeLoopTests : IAsyncLifetime
{
    private FakeRuntimeApi _runtime = null!;

    public async Task InitializeAsync() => _runtime = await FakeRuntimeApi.StartAsync();

    public async Task DisposeAsync() => await _runtime.DisposeAsync();

    [Fact]
    public async Task Handler_crash_is_reported_to_invocation_error_and_the_loop_goes_on()
    {
        await using var app = await TestApp.StartAsync(_runtime.Address, LambdaEventSource.RestApi);

        var crash = await _runtime.InvokeAsync(Events.Json("eventbridge-scheduled.json"));
        var next = await _runtime.InvokeAsync(Events.RestApi("echo/after-crash"));

        Assert.Equal("error", crash.Kind);
        Assert.Equal("application/vnd.aws.lambda.error+json", crash.ContentType);
        Assert.Equal("InvalidDataException", crash.Headers["Lambda-Runtime-Function-Error-Type"]);
        var error = crash.Json;
        Assert.Equal("InvalidDataException", error.GetProperty("errorType").GetString());
        Assert.Contains("httpMethod is missing", error.GetProperty("errorMessage").GetString());
        Assert.Equal(JsonValueKind.Array, error.GetProperty("stackTrace").ValueKind);
        Assert.Contains(error.GetProperty("stackTrace").EnumerateArray(), l => l.GetString()!.Contains("ApiGatewayV1Marshaller", StringComparison.Ordinal));
        Assert.Equal("/echo/after-crash", next.Echo().GetProperty("path").GetString());
        Assert.Empty(app.Exits);
    }

    [Fact]
    public async Task Invalid_json_event_is_a_handler_crash()
    {
        await using var app = await TestApp.StartAsync(_runtime.Address, LambdaEventSource.HttpApi);

        var crash = await _runtime.InvokeAsync("{ not json");

        Assert.Equal("error", crash.Kind);
        Assert.Equal("JsonException", crash.Json.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task Middleware_failing_at_start_up_is_reported_to_init_error_and_start_fails()
    {
        var app = TestApp.Create(_runtime.Address, LambdaEventSource.RestApi, configureApp: a => a.UseMiddleware<BrokenMiddleware>());
        await using (app)
        {
            var start = await Assert.ThrowsAsync<InvalidOperationException>(() => app.App.StartAsync());

            var init = await _runtime.InitError.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("broken at start-up", start.Message);
            Assert.Equal("application/vnd.aws.lambda.error+json", init.ContentType);
            Assert.Equal("InvalidOperationException", init.Headers["Lambda-Runtime-Function-Error-Type"]);
            Assert.Equal("broken at start-up", init.Json.GetProperty("errorMessage").GetString());
            Assert.Equal("InvalidOperationException", init.Json.GetProperty("errorType").GetString());
            Assert.NotEmpty(init.Json.GetProperty("stackTrace").EnumerateArray());
            var exit = Assert.Single(app.Exits);
            Assert.Equal(1, exit.ExitCode);
            Assert.Same(start, exit.Error);
            Assert.Equal(0, _runtime.NextCalls);
        }
    }

    [Fact]
    public async Task Startup_filter_failing_is_reported_to_init_error()
    {
        var app = TestApp.Create(_runtime.Address, LambdaEventSource.RestApi, configureBuilder: b => b.Services.AddTransient<IStartupFilter, BrokenStartupFilter>());
        await using (app)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => app.App.StartAsync());

            var init = await _runtime.InitError.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("NotSupportedException", init.Json.GetProperty("errorType").GetString());
            Assert.Equal("filter refuses", init.Json.GetProperty("errorMessage").GetString());
            Assert.Single(app.Exits);
        }
    }

    [Fact]
    public async Task A_500_from_next_stops_the_loop_and_exits()
    {
        await using var app = await TestApp.StartAsync(_runtime.Address, LambdaEventSource.RestApi);
        var served = await _runtime.InvokeAsync(Events.RestApi("echo/before"));

        _runtime.FailNextPoll(500);

        var exit = await app.Exited.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await app.Loop!.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(200, served.StatusCode());
        Assert.Equal(1, exit.ExitCode);
        var failure = Assert.IsType<Runtime.RuntimeApiException>(exit.Error);
        Assert.Equal(500, (int)failure.StatusCode);
        Assert.True(app.Loop.IsCompletedSuccessfully);
        Assert.Equal(2, _runtime.NextCalls);
    }

    [Fact]
    public async Task Default_exit_action_stops_the_application_with_a_non_zero_exit_code()
    {
        var previousExitCode = Environment.ExitCode;
        try
        {
            await using var app = await TestApp.StartAsync(_runtime.Address, LambdaEventSource.RestApi,
                configureLambda: o => o.Exit = LambdaRuntimeExit.StopApplication);
            var lifetime = app.App.Services.GetRequiredService<IHostApplicationLifetime>();
            var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());

            _runtime.FailNextPoll(500);

            await stopping.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(1, Environment.ExitCode);
        }
        finally
        {
            Environment.ExitCode = previousExitCode;
        }
    }

    [Fact]
    public async Task Deadline_cancels_RequestAborted()
    {
        var clock = new FakeTimeProvider(Now);
        await using var app = await TestApp.StartAsync(_runtime.Address, LambdaEventSource.RestApi,
            configureBuilder: b => b.Services.AddSingleton<TimeProvider>(clock));

        var answer = _runtime.InvokeAsync(Events.RestApi("until-aborted"), deadline: Now.AddSeconds(30));
        var aborted = await WaitingForAbort(app);
        clock.Advance(TimeSpan.FromSeconds(29.999));
        var beforeDeadline = aborted.IsCancellationRequested;
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var atDeadline = aborted.IsCancellationRequested;

        Assert.False(beforeDeadline);
        Assert.True(atDeadline);
        Assert.Equal(504, (await answer).StatusCode());
        Assert.Equal("aborted", (await answer).BodyText());
    }

    [Fact]
    public async Task Deadline_margin_cancels_earlier()
    {
        var clock = new FakeTimeProvider(Now);
        await using var app = await TestApp.StartAsync(_runtime.Address, LambdaEventSource.RestApi,
            configureBuilder: b => b.Services.AddSingleton<TimeProvider>(clock),
            configureLambda: o => o.DeadlineMargin = TimeSpan.FromSeconds(29.8));

        var answer = _runtime.InvokeAsync(Events.RestApi("until-aborted"), deadline: Now.AddSeconds(30));
        var aborted = await WaitingForAbort(app);
        clock.Advance(TimeSpan.FromMilliseconds(199));
        var beforeMargin = aborted.IsCancellationRequested;
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(beforeMargin);
        Assert.True(aborted.IsCancellationRequested);
        Assert.Equal(504, (await answer).StatusCode());
    }

    [Fact]
    public async Task A_deadline_already_past_cancels_at_once()
    {
        var clock = new FakeTimeProvider(Now);
        await using var app = await TestApp.StartAsync(_runtime.Address, LambdaEventSource.RestApi,
            configureBuilder: b => b.Services.AddSingleton<TimeProvider>(clock));

        var answer = await _runtime.InvokeAsync(Events.RestApi("until-aborted"), deadline: Now.AddSeconds(-1));

        Assert.Equal(504, answer.StatusCode());
    }

    [Fact]
    public async Task Trace_id_is_set_in_X_AMZN_TRACE_ID_for_each_invocation()
    {
        await using var app = await TestApp.StartAsync(_runtime.Address, LambdaEventSource.RestApi);
        var first = FakeRuntimeApi.NewTraceId();
        var second = FakeRuntimeApi.NewTraceId();

        var one = (await _runtime.InvokeAsync(Events.RestApi("echo/1"), traceId: first)).Echo();
        var two = (await _runtime.InvokeAsync(Events.RestApi("echo/2"), traceId: second)).Echo();

        Assert.Equal(first, one.GetProperty("traceEnv").GetString());
        Assert.Equal(second, two.GetProperty("traceEnv").GetString());
    }

    [Fact]
    public async Task Each_invocation_gets_a_fresh_scope_disposed_after_it()
    {
        await using var app = await TestApp.StartAsync(_runtime.Address, LambdaEventSource.HttpApi);

        var first = (await _runtime.InvokeAsync(Events.HttpApi("/scope"))).Echo();
        var second = (await _runtime.InvokeAsync(Events.HttpApi("/scope"))).Echo();

        Assert.NotEqual(first.GetProperty("id").GetGuid(), second.GetProperty("id").GetGuid());
        Assert.Empty(first.GetProperty("disposedOthers").EnumerateArray());
        Assert.Equal([true], second.GetProperty("disposedOthers").EnumerateArray().Select(e => e.GetBoolean()));
    }

    [Fact]
    public async Task Deadline_header_is_exposed_through_the_invocation_feature()
    {
        await using var app = await TestApp.StartAsync(_runtime.Address, LambdaEventSource.RestApi);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(42);
        deadline = DateTimeOffset.FromUnixTimeMilliseconds(deadline.ToUnixTimeMilliseconds()); // the header's precision

        var echo = (await _runtime.InvokeAsync(Events.RestApi("echo/deadline"), deadline: deadline)).Echo();

        Assert.Equal(deadline, echo.GetProperty("deadline").GetDateTimeOffset());
    }

    [Fact]
    public async Task Stopping_the_host_ends_the_pending_poll()
    {
        var app = await TestApp.StartAsync(_runtime.Address, LambdaEventSource.RestApi);
        await _runtime.InvokeAsync(Events.RestApi("echo/x"));

        var stop = app.App.StopAsync();
        await stop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(app.Loop!.IsCompletedSuccessfully);
        Assert.Empty(app.Exits);
        await app.DisposeAsync();
    }

    /// <summary>The app's clock in the deadline tests; the Runtime API's deadlines are set against it.</summary>
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    private static Task<CancellationToken> WaitingForAbort(TestApp app)
        => app.App.Services.GetRequiredService<ProbeRegistry>().WaitingForAbort.Task.WaitAsync(TimeSpan.FromSeconds(10));

    private sealed class BrokenMiddleware
    {
        public BrokenMiddleware(RequestDelegate next) => throw new InvalidOperationException("broken at start-up");

        public Task InvokeAsync(HttpContext context) => Task.CompletedTask;
    }

    private sealed class BrokenStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => _ => throw new NotSupportedException("filter refuses");
    }
}
