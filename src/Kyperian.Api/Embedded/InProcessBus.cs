using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Kyperian.Api.Engine;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Embedded;

/// <summary>
/// The bus in one process: a bounded channel from the webhook to the engine. When it is full, publishing
/// fails after a short wait; the signal then stays Pending in the store and the sweeper republishes it.
/// </summary>
public sealed class InProcessBus : IEventBus, ISignalFeed
{
    private readonly Channel<SignalDelivery> _channel;
    private readonly WorkerOptions _options;
    private readonly ILogger<InProcessBus> _logger;
    private long _deadLetters;

    public InProcessBus(IOptions<WorkerOptions> options, ILogger<InProcessBus> logger)
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

    public long DeadLetters => Interlocked.Read(ref _deadLetters);

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

    private async Task RedeliverAsync(Signal signal, int attempt, CancellationToken cancellationToken)
    {
        if (attempt >= _options.MaxDeliveryAttempts)
        {
            // The signal stays in the store; an operator finds it without a decision.
            Interlocked.Increment(ref _deadLetters);
            _logger.LogError("Signal {SignalId} failed {Attempts} times and is dead-lettered", signal.SignalId, attempt);
            return;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
        await _channel.Writer.WriteAsync(Deliver(signal, attempt + 1), cancellationToken);
    }
}
