using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Ports;

/// <summary>One signal handed to the engine, to be completed once its decision is stored.</summary>
/// <param name="Signal">The signal.</param>
/// <param name="CompleteAsync">Acknowledges the delivery: the bus forgets it (SQS: delete).</param>
/// <param name="AbandonAsync">Gives it back for redelivery (SQS: let the visibility timeout lapse).</param>
/// <param name="Attempt">1 for the first delivery.</param>
public sealed record SignalDelivery(
    Signal Signal,
    Func<CancellationToken, Task> CompleteAsync,
    Func<CancellationToken, Task> AbandonAsync,
    int Attempt = 1);

/// <summary>The engine's input: the in-process channel, or SQS behind EventBridge.</summary>
public interface ISignalFeed
{
    IAsyncEnumerable<SignalDelivery> ReadAllAsync(CancellationToken cancellationToken);
}
