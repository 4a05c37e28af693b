using System.Collections.Concurrent;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>The signal store for a laptop and the tests. Lives as long as the process.</summary>
public sealed class InMemorySignalStore : ISignalStore
{
    private readonly ConcurrentDictionary<string, Signal> _signals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Signal> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Symbol, SymbolIndex<Signal>> _bySymbol = new();
    private readonly ConcurrentDictionary<string, string> _rawAlerts = new(StringComparer.Ordinal);

    public int Count => _signals.Count;

    public Task<bool> TryAddAsync(Signal signal, PublishState state, CancellationToken cancellationToken) =>
        TryAddAsync(signal, state, rawAlert: null, cancellationToken);

    public Task<bool> TryAddAsync(Signal signal, PublishState state, string? rawAlert, CancellationToken cancellationToken)
    {
        if (!_signals.TryAdd(signal.SignalId, signal))
        {
            return Task.FromResult(false);
        }

        if (rawAlert is not null)
        {
            _rawAlerts[signal.SignalId] = rawAlert;
        }

        if (state == PublishState.Pending)
        {
            _pending[signal.SignalId] = signal;
        }

        _bySymbol.GetOrAdd(signal.Symbol, static _ => new SymbolIndex<Signal>()).Add(signal, signal.ReceivedAt);
        return Task.FromResult(true);
    }

    public Task<Signal?> GetAsync(string signalId, CancellationToken cancellationToken) =>
        Task.FromResult(_signals.GetValueOrDefault(signalId));

    public Task<IReadOnlyList<Signal>> ListBySymbolAsync(Symbol symbol, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(_bySymbol.TryGetValue(symbol, out var index) ? index.Newest(limit) : (IReadOnlyList<Signal>)[]);

    public Task<string?> GetRawAlertAsync(string signalId, CancellationToken cancellationToken) =>
        Task.FromResult(_rawAlerts.GetValueOrDefault(signalId));

    public Task DropRawAlertAsync(string signalId, CancellationToken cancellationToken)
    {
        _rawAlerts.TryRemove(signalId, out _);
        return Task.CompletedTask;
    }

    public Task MarkPublishedAsync(string signalId, CancellationToken cancellationToken)
    {
        _pending.TryRemove(signalId, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Signal>> ListPendingAsync(DateTimeOffset receivedBefore, int limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<Signal> pending = _pending.Values
            .Where(s => s.ReceivedAt < receivedBefore)
            .OrderBy(s => s.ReceivedAt)
            .Take(limit)
            .ToList();
        return Task.FromResult(pending);
    }
}

/// <summary>Per-symbol items kept in time order, for newest-first listing.</summary>
internal sealed class SymbolIndex<T>
{
    private readonly List<(DateTimeOffset At, T Item)> _items = [];

    public void Add(T item, DateTimeOffset at)
    {
        lock (_items)
        {
            // Almost always appended at the end; an out-of-order arrival is inserted in place.
            var index = _items.Count;
            while (index > 0 && _items[index - 1].At > at)
            {
                index--;
            }

            _items.Insert(index, (at, item));
        }
    }

    public IReadOnlyList<T> Newest(int limit)
    {
        lock (_items)
        {
            var count = Math.Min(limit, _items.Count);
            var result = new List<T>(count);
            for (var i = _items.Count - 1; i >= _items.Count - count; i--)
            {
                result.Add(_items[i].Item);
            }

            return result;
        }
    }
}
