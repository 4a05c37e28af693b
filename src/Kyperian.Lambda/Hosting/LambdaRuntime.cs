using Kyperian.Lambda.ApiGateway;
using Kyperian.Lambda.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kyperian.Lambda.Hosting;

/// <summary>Where the Runtime API is (found when <c>AddLambdaHosting</c> ran).</summary>
internal sealed record LambdaRuntimeSettings(string RuntimeApi);

/// <summary>The per-app Lambda runtime state shared by the server and the start-up guards.</summary>
internal sealed class LambdaRuntime : IDisposable
{
    private static readonly TimeSpan InitErrorTimeout = TimeSpan.FromSeconds(10);

    private readonly IServiceProvider _services;
    private readonly ILogger<LambdaRuntime> _logger;
    private readonly Lazy<RuntimeApiClient> _client;
    private int _initErrorReported;
    private int _exited;

    public LambdaRuntime(LambdaRuntimeSettings settings, IOptions<LambdaHostingOptions> options, IServiceProvider services, ILogger<LambdaRuntime> logger)
    {
        Settings = settings;
        Options = options.Value;
        Marshaller = IApiGatewayMarshaller.For(Options.EventSource);
        _services = services;
        _logger = logger;
        _client = new Lazy<RuntimeApiClient>(() => new RuntimeApiClient(settings.RuntimeApi));
    }

    public LambdaRuntimeSettings Settings { get; }

    public LambdaHostingOptions Options { get; }

    public IApiGatewayMarshaller Marshaller { get; }

    public RuntimeApiClient Client => _client.Value;

    /// <summary>Posts a start-up failure to <c>/runtime/init/error</c> (once), then runs the exit action.</summary>
    public void ReportInitError(Exception error)
    {
        if (Interlocked.Exchange(ref _initErrorReported, 1) == 1)
        {
            return;
        }

        UnhandledStartupErrorReporter.MarkReported();
        _logger.LogCritical(error, "Start-up failed; reporting to the Lambda Runtime API init/error.");
        try
        {
            using var timeout = new CancellationTokenSource(InitErrorTimeout);
            Client.PostInitErrorAsync(error, timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or RuntimeApiException or ArgumentException)
        {
            _logger.LogError(ex, "Could not report the start-up failure to the Lambda Runtime API.");
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

        _logger.LogCritical(error, "Lambda runtime exiting with code {ExitCode}: {Reason}", exitCode, reason);
        Options.Exit(new LambdaRuntimeExit(exitCode, reason, error, _services));
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
