using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kyperian.Lambda.Hosting;

/// <summary>
/// The <see cref="IServer"/> that replaces Kestrel under Lambda: instead of listening on a socket it takes
/// invocations from the Lambda Runtime API, once the application has started.
/// </summary>
internal sealed class LambdaRuntimeServer : IServer
{
    private readonly LambdaRuntime _runtime;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<LambdaRuntimeServer> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenRegistration _onStarted;
    private Task? _loop;

    public LambdaRuntimeServer(LambdaRuntime runtime, IHostApplicationLifetime lifetime, ILogger<LambdaRuntimeServer> logger)
    {
        _runtime = runtime;
        _lifetime = lifetime;
        _logger = logger;

        // Nothing listens: an empty, read-only address list (configured URLs are not added) keeps app.Urls working.
        Features.Set<IServerAddressesFeature>(new NoAddresses());
    }

    public IFeatureCollection Features { get; } = new FeatureCollection();

    /// <summary>The invocation loop, once the application has started (for tests).</summary>
    internal Task? Loop => _loop;

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        ArgumentNullException.ThrowIfNull(application);
        try
        {
            _ = _runtime.Client; // validates AWS_LAMBDA_RUNTIME_API
        }
        catch (ArgumentException ex)
        {
            _logger.RuntimeApiUnusable(ex);
            throw;
        }

        var loop = new InvocationLoop<TContext>(application, _runtime, _logger);

        // Poll for events only when the whole host has started (hosted services included): that ends Lambda's init phase.
        _onStarted = _lifetime.ApplicationStarted.Register(() =>
        {
            UnhandledStartupErrorReporter.MarkReported();
            _loop = Task.Run(() => loop.RunAsync(_stopping.Token), CancellationToken.None);
        });

        _logger.ServerStarted(_runtime.Marshaller.PayloadFormat, _runtime.Settings.RuntimeApi);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _onStarted.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            try
            {
                // The pending /next poll ends at once; an invocation in flight may finish within the shutdown timeout.
                await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _logger.InvocationStillRunningAtStop();
            }
        }
    }

    private sealed class NoAddresses : IServerAddressesFeature
    {
        public ICollection<string> Addresses { get; } = Array.AsReadOnly(Array.Empty<string>());

        public bool PreferHostingUrls { get; set; }
    }

    public void Dispose()
    {
        _onStarted.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
