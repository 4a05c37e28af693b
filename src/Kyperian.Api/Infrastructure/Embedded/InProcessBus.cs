using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// The bus in one process: a queue from the webhook to the engine holding at most
/// <see cref="InProcessBusOptions.ChannelCapacity"/> new signals. When it is full, publishing fails after a short
/// wait; the signal then stays Pending in the store and the sweeper republishes it.
/// </summary>
/// <remarks>
/// A delivery given back for redelivery never waits for room: the consumer that gives it back is the queue's only
/// reader, so waiting there could stop every consumer at once while the queue is full, and nothing would read it
/// again. Redeliveries are queued after their delay without taking a place, so they are bounded by the signals
/// already taken off the queue, one entry each.
/// </remarks>
public sealed partial class InProcessBus : IEventBus, ISignalFeed, IDisposable
{
    private static readonly TimeSpan MaxRedeliveryDelay = TimeSpan.FromSeconds(5);

    private readonly Channel<Queued> _channel = Channel.CreateUnbounded<Queued>(new UnboundedChannelOptions { SingleReader = false });
    private readonly SemaphoreSlim _places;
    private readonly InProcessBusOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<InProcessBus> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private long _struggling;
    private long _waitingForRedelivery;
    private int _disposed;

    public InProcessBus(IOptions<InProcessBusOptions> options, TimeProvider time, ILogger<InProcessBus> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _places = new SemaphoreSlim(_options.ChannelCapacity, _options.ChannelCapacity);
    }

    /// <summary>Deliveries waiting to be read: new ones and redeliveries whose delay is over.</summary>
    public int Backlog => _channel.Reader.Count;

    /// <summary>Signals given back for redelivery whose delay is not over yet.</summary>
    public long WaitingForRedelivery => Interlocked.Read(ref _waitingForRedelivery);

    /// <summary>Signals that have failed <see cref="InProcessBusOptions.MaxDeliveryAttempts"/> times and are not decided yet.</summary>
    public long Struggling => Interlocked.Read(ref _struggling);

    public async Task PublishSignalAsync(Signal signal, CancellationToken cancellationToken)
    {
        if (!_places.Wait(0) && !await _places.WaitAsync(_options.PublishTimeoutMs, cancellationToken))
        {
            throw new BusUnavailableException($"The in-process bus stayed full for {_options.PublishTimeoutMs} ms.");
        }

        _channel.Writer.TryWrite(new Queued(Deliver(signal, attempt: 1), HoldsPlace: true));
    }

    public Task PublishDecisionAsync(Decision decision, CancellationToken cancellationToken) => Task.CompletedTask;

    public async IAsyncEnumerable<SignalDelivery> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var queued in _channel.Reader.ReadAllAsync(cancellationToken))
        {
            if (queued.HoldsPlace)
            {
                _places.Release();
            }

            yield return queued.Delivery;
        }
    }

    /// <summary>Ends the pending redelivery delays: the process is stopping, and the store still has every signal.</summary>
    public void Dispose()
    {
        // Registered under three services, so the container may dispose it three times.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        _stopping.Dispose();
        _places.Dispose();
    }

    private SignalDelivery Deliver(Signal signal, int attempt) => new(
        signal,
        _ => Completed(signal, attempt),
        _ => GiveBack(signal, attempt),
        attempt);

    private Task Completed(Signal signal, int attempt)
    {
        if (attempt >= _options.MaxDeliveryAttempts)
        {
            Interlocked.Decrement(ref _struggling);
            LogRecovered(_logger, signal.SignalId, attempt);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Schedules a redelivery with a growing delay and returns at once. An accepted signal is never dropped: past
    /// <see cref="InProcessBusOptions.MaxDeliveryAttempts"/> it is counted as struggling (health turns Degraded until it
    /// is decided) and retried every few seconds until its backend recovers.
    /// </summary>
    private Task GiveBack(Signal signal, int attempt)
    {
        if (attempt == _options.MaxDeliveryAttempts)
        {
            Interlocked.Increment(ref _struggling);
            LogStruggling(_logger, signal.SignalId, attempt, MaxRedeliveryDelay.TotalSeconds);
        }

        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRedeliveryDelay.TotalMilliseconds, 100 * Math.Pow(2, attempt - 1)));
        Interlocked.Increment(ref _waitingForRedelivery);
        _ = RedeliverAfterAsync(Deliver(signal, attempt + 1), delay);
        return Task.CompletedTask;
    }

    private async Task RedeliverAfterAsync(SignalDelivery delivery, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stopping.Token);
            _channel.Writer.TryWrite(new Queued(delivery, HoldsPlace: false));
        }
        catch (OperationCanceledException)
        {
            // Stopping: the signal stays undecided in the store and is taken up again at the next start.
        }
        finally
        {
            Interlocked.Decrement(ref _waitingForRedelivery);
        }
    }

    /// <param name="Delivery">What the engine gets.</param>
    /// <param name="HoldsPlace">A new signal, holding one of the queue's places until it is read.</param>
    private readonly record struct Queued(SignalDelivery Delivery, bool HoldsPlace);

    [LoggerMessage(Level = LogLevel.Error, Message = "Signal {SignalId} failed {Attempts} times; still retrying every {Seconds} s")]
    private static partial void LogStruggling(ILogger logger, string signalId, int attempts, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Signal {SignalId} was decided on attempt {Attempt}")]
    private static partial void LogRecovered(ILogger logger, string signalId, int attempt);
}
