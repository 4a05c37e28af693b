using Kyperian.Domain.Decisions;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Application.Processing;

/// <summary>
/// Holds the signals of a symbol whose bars close at the same moment for the settle window, so that they are decided
/// once, together: the burst is decided as soon as every awaited timeframe has arrived, or when the window lapses
/// (a <see cref="TimeProvider"/> timer), whichever comes first. While a burst is open every signal of its symbol joins
/// it, so none is decided ahead of one that arrived before it. Each member's caller awaits the burst's decision.
/// </summary>
public sealed class BarCloseBuffer(TimeProvider time) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Symbol, OpenBurst> _open = [];
    private bool _disposed;

    /// <summary>Bursts waiting for their settle window, for health and tests.</summary>
    public int OpenBursts
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <param name="signal">The new signal.</param>
    /// <param name="plan">Whether it waits, and for which timeframes (<see cref="BurstPlan.For"/>).</param>
    /// <param name="settle">The longest wait.</param>
    /// <param name="decide">Decides members in arrival order; runs once per burst, never under the buffer's lock.</param>
    /// <param name="cancellationToken">Stops this caller's wait; the burst is decided all the same.</param>
    public Task<Decision> SubmitAsync(
        Signal signal,
        BurstPlan plan,
        TimeSpan settle,
        Func<IReadOnlyList<Signal>, Task<Decision>> decide,
        CancellationToken cancellationToken)
    {
        OpenBurst? ready = null;
        TaskCompletionSource<Decision> waiter;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_open.TryGetValue(signal.Symbol, out var open))
            {
                waiter = open.Join(signal, plan);
                if (open.Burst.IsComplete)
                {
                    _open.Remove(signal.Symbol);
                    ready = open;
                }
            }
            else if (plan.DecideAtOnce)
            {
                return decide([signal]).WaitAsync(cancellationToken);
            }
            else
            {
                open = new OpenBurst(PendingBurst.Open(signal, plan, time.GetUtcNow(), settle), decide);
                waiter = open.Waiters[0];
                _open[signal.Symbol] = open;
                open.Timer = time.CreateTimer(static state => ((BurstTimer)state!).Lapse(), new BurstTimer(this, open), settle, Timeout.InfiniteTimeSpan);
            }
        }

        if (ready is not null)
        {
            ready.Timer?.Dispose();
            _ = ready.RunAsync();
        }

        return waiter.Task.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        List<OpenBurst> abandoned;
        lock (_gate)
        {
            _disposed = true;
            abandoned = [.. _open.Values];
            _open.Clear();
        }

        foreach (var burst in abandoned)
        {
            burst.Timer?.Dispose();

            // Their deliveries are not acknowledged: the bus redelivers them to the next engine.
            burst.Fail(new OperationCanceledException("The engine stopped before the burst settled."));
        }
    }

    private void Lapse(OpenBurst burst)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(burst.Burst.Symbol, out var current) || !ReferenceEquals(current, burst))
            {
                return; // completed (or disposed) in the meantime
            }

            _open.Remove(burst.Burst.Symbol);
        }

        burst.Timer?.Dispose();
        _ = burst.RunAsync();
    }

    private sealed record BurstTimer(BarCloseBuffer Buffer, OpenBurst Burst)
    {
        public void Lapse() => Buffer.Lapse(Burst);
    }

    private sealed class OpenBurst
    {
        private readonly Func<IReadOnlyList<Signal>, Task<Decision>> _decide;
        private readonly Dictionary<string, TaskCompletionSource<Decision>> _bySignalId = new(StringComparer.Ordinal);

        public OpenBurst(PendingBurst burst, Func<IReadOnlyList<Signal>, Task<Decision>> decide)
        {
            Burst = burst;
            _decide = decide;
            var first = NewWaiter();
            Waiters.Add(first);
            _bySignalId[burst.Members[0].SignalId] = first;
        }

        public PendingBurst Burst { get; }

        public List<TaskCompletionSource<Decision>> Waiters { get; } = new(4);

        public ITimer? Timer { get; set; }

        /// <summary>Adds the signal, or, for one already a member (a redelivery), waits with it.</summary>
        public TaskCompletionSource<Decision> Join(Signal signal, BurstPlan plan)
        {
            if (_bySignalId.TryGetValue(signal.SignalId, out var existing))
            {
                return existing;
            }

            Burst.Add(signal, plan);
            var waiter = NewWaiter();
            Waiters.Add(waiter);
            _bySignalId[signal.SignalId] = waiter;
            return waiter;
        }

        public async Task RunAsync()
        {
            try
            {
                var decision = await _decide(Burst.Members);
                foreach (var waiter in Waiters)
                {
                    waiter.TrySetResult(decision);
                }
            }
            catch (Exception ex)
            {
                Fail(ex);
            }
        }

        public void Fail(Exception exception)
        {
            foreach (var waiter in Waiters)
            {
                waiter.TrySetException(exception);
            }
        }

        private static TaskCompletionSource<Decision> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
