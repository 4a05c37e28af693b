using Kyperian.Lambda.ApiGateway;
using Kyperian.Lambda.Runtime;
using Microsoft.Extensions.Logging;

namespace Kyperian.Lambda.Hosting;

/// <summary>Ends the process the way the application asked (<c>LambdaHostingOptions.Exit</c>).</summary>
internal delegate void RuntimeExitAction(int exitCode, string reason, Exception? error);

/// <summary>
/// What the runtime needs, resolved once from the public options by <c>AddLambdaHosting</c>: where the Runtime API is,
/// which payload format the events have, how early to cancel before the deadline, and how to end the process.
/// </summary>
internal sealed record LambdaRuntimeSettings(
    string RuntimeApi,
    IApiGatewayMarshaller Marshaller,
    TimeSpan DeadlineMargin,
    RuntimeExitAction Exit);

/// <summary>The per-app Lambda runtime state shared by the server and the start-up guards.</summary>
internal sealed class LambdaRuntime : IDisposable
{
    private static readonly TimeSpan InitErrorTimeout = TimeSpan.FromSeconds(10);

    private readonly ILogger<LambdaRuntime> _logger;
    private readonly Lazy<RuntimeApiClient> _client;
    private int _initErrorReported;
    private int _exited;

    public LambdaRuntime(LambdaRuntimeSettings settings, ILogger<LambdaRuntime> logger, TimeProvider? timeProvider = null)
    {
        Settings = settings;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger;
        _client = new Lazy<RuntimeApiClient>(() => new RuntimeApiClient(settings.RuntimeApi));
    }

    public LambdaRuntimeSettings Settings { get; }

    public IApiGatewayMarshaller Marshaller => Settings.Marshaller;

    /// <summary>The application's clock: the invocation deadlines are scheduled on it.</summary>
    public TimeProvider TimeProvider { get; }

    public RuntimeApiClient Client => _client.Value;

    /// <summary>Posts a start-up failure to <c>/runtime/init/error</c> (once), then runs the exit action.</summary>
    public void ReportInitError(Exception error)
    {
        if (Interlocked.Exchange(ref _initErrorReported, 1) == 1)
        {
            return;
        }

        UnhandledStartupErrorReporter.MarkReported();
        _logger.StartupFailed(error);
        try
        {
            using var timeout = new CancellationTokenSource(InitErrorTimeout);
            Client.PostInitErrorAsync(error, timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or RuntimeApiException or ArgumentException)
        {
            _logger.InitErrorNotReported(ex);
        }

        Exit(1, "start-up failed", error);
    }

    /// <summary>Runs the configured exit action once.</summary>
    public void Exit(int exitCode, string reason, Exception? error)
    {
        if (Interlocked.Exchange(ref _exited, 1) == 1)
        {
            return;
        }

        _logger.Exiting(error, exitCode, reason);
        Settings.Exit(exitCode, reason, error);
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
