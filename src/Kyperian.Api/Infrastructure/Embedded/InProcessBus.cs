using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// The bus in one process: a bounded channel from the webhook to the engine. When it is full, publishing
/// fails after a short wait; the signal then stays Pending in the store and the sweeper republishes it.
/// </summary>
public sealed partial class InProcessBus : IEventBus, ISignalFeed
{
    private readonly Channel<SignalDelivery> _channel;
    private readonly InProcessBusOptions _options;
    private readonly ILogger<InProcessBus> _logger;
    private static readonly TimeSpan MaxRedeliveryDelay = TimeSpan.FromSeconds(5);
    private long _struggling;

    public InProcessBus(IOptions<InProcessBusOptions> options, ILogger<InProcessBus> logger)
    {
        _options = options.Value;
        _logger = logger;
        _channel = Channel.CreateBounded<SignalDelivery>(new BoundedChannelOptions(_options.ChannelCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public int Backlog => _channel.Reader.Count;

    /// <summary>Signals that have failed <see cref="InProcessBusOptions.MaxDeliveryAttempts"/> times and are still being retried.</summary>
    public long Struggling => Interlocked.Read(ref _struggling);

    public async Task PublishSignalAsync(Signal signal, CancellationToken cancellationToken)
    {
        var delivery = Deliver(signal, attempt: 1);
        if (_channel.Writer.TryWrite(delivery))
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeoutMs);
        try
        {
            await _channel.Writer.WriteAsync(delivery, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BusUnavailableException($"The in-process bus stayed full for {_options.PublishTimeoutMs} ms.");
        }
    }

    public Task PublishDecisionAsync(Decision decision, CancellationToken cancellationToken) => Task.CompletedTask;

    public async IAsyncEnumerable<SignalDelivery> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var delivery in _channel.Reader.ReadAllAsync(cancellationToken))
        {
            yield return delivery;
        }
    }

    private SignalDelivery Deliver(Signal signal, int attempt) => new(
        signal,
        static _ => Task.CompletedTask,
        ct => RedeliverAsync(signal, attempt, ct),
        attempt);

    /// <summary>
    /// Redelivers with a growing delay. An accepted signal is never dropped: past
    /// <see cref="InProcessBusOptions.MaxDeliveryAttempts"/> it is counted as struggling (health turns Degraded) and
    /// retried every few seconds until its backend recovers.
    /// </summary>
    private async Task RedeliverAsync(Signal signal, int attempt, CancellationToken cancellationToken)
    {
        if (attempt == _options.MaxDeliveryAttempts)
        {
            Interlocked.Increment(ref _struggling);
            LogStruggling(_logger, signal.SignalId, attempt, MaxRedeliveryDelay.TotalSeconds);
        }

        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRedeliveryDelay.TotalMilliseconds, 100 * Math.Pow(2, attempt - 1)));
        await Task.Delay(delay, cancellationToken);
        await _channel.Writer.WriteAsync(Deliver(signal, attempt + 1), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Signal {SignalId} failed {Attempts} times; still retrying every {Seconds} s")]
    private static partial void LogStruggling(ILogger logger, string signalId, int attempts, double seconds);
}
