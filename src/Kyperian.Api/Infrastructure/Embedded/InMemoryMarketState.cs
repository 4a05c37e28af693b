using System.Collections.Concurrent;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>Per-symbol timeframe state, cooldowns and dedupe claims, in process.</summary>
public sealed class InMemoryMarketState(TimeProvider time) : IMarketState, IDedupeStore
{
    /// <summary>
    /// Expired claims are swept after this many new claims, or after as many new claims as the last sweep left,
    /// whichever is more: memory follows the dedupe window, not uptime, and each sweep is paid for by as many
    /// claims as it visits, so a claim costs O(1) however many are live.
    /// </summary>
    private const int SweepThreshold = 100_000;

    private readonly ConcurrentDictionary<Symbol, Dictionary<int, TimeframeSignal>> _timeframes = new();
    private readonly ConcurrentDictionary<Symbol, DateTimeOffset> _lastExecute = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _claims = new(StringComparer.Ordinal);
    private int _sweeping;
    private long _claimsSinceSweep;
    private long _sweepAfterClaims = SweepThreshold;

    public Task<IReadOnlyList<TimeframeSignal>> RecordAsync(Signal signal, CancellationToken cancellationToken)
    {
        var latest = _timeframes.GetOrAdd(signal.Symbol, static _ => []);
        var candidate = TimeframeSignal.From(signal);
        lock (latest)
        {
            if (candidate.Supersedes(latest.GetValueOrDefault(signal.Timeframe.Seconds)))
            {
                latest[signal.Timeframe.Seconds] = candidate;
            }

            return Task.FromResult<IReadOnlyList<TimeframeSignal>>([.. latest.Values]);
        }
    }

    public Task<IReadOnlyList<TimeframeSignal>> ReadAsync(Symbol symbol, CancellationToken cancellationToken)
    {
        if (!_timeframes.TryGetValue(symbol, out var latest))
        {
            return Task.FromResult<IReadOnlyList<TimeframeSignal>>([]);
        }

        lock (latest)
        {
            return Task.FromResult<IReadOnlyList<TimeframeSignal>>([.. latest.Values]);
        }
    }

    public Task<DateTimeOffset?> GetLastExecuteAsync(Symbol symbol, CancellationToken cancellationToken) =>
        Task.FromResult(_lastExecute.TryGetValue(symbol, out var at) ? at : (DateTimeOffset?)null);

    public Task SetLastExecuteAsync(Symbol symbol, DateTimeOffset at, TimeSpan cooldown, CancellationToken cancellationToken)
    {
        _lastExecute.AddOrUpdate(symbol, at, (_, current) => at > current ? at : current);
        return Task.CompletedTask;
    }

    public Task<bool> TryClaimAsync(string signalId, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expiresAt = now + window;
        while (true)
        {
            if (_claims.TryAdd(signalId, expiresAt))
            {
                SweepIfLarge(now);
                return Task.FromResult(true);
            }

            if (_claims.TryGetValue(signalId, out var current))
            {
                if (current > now)
                {
                    return Task.FromResult(false);
                }

                if (_claims.TryUpdate(signalId, expiresAt, current))
                {
                    return Task.FromResult(true);
                }
            }
        }
    }

    public Task<bool> IsClaimedAsync(string signalId, CancellationToken cancellationToken) =>
        Task.FromResult(_claims.TryGetValue(signalId, out var expiresAt) && expiresAt > time.GetUtcNow());

    public Task ReleaseAsync(string signalId, CancellationToken cancellationToken)
    {
        _claims.TryRemove(signalId, out _);
        return Task.CompletedTask;
    }

    private void SweepIfLarge(DateTimeOffset now)
    {
        // Not _claims.Count: it takes every lock of the dictionary, on every claim.
        if (Interlocked.Increment(ref _claimsSinceSweep) < Interlocked.Read(ref _sweepAfterClaims)
            || Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            long live = 0;
            foreach (var (id, expiresAt) in _claims)
            {
                if (expiresAt > now)
                {
                    live++;
                }
                else
                {
                    _claims.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, expiresAt));
                }
            }

            Interlocked.Exchange(ref _claimsSinceSweep, 0);
            Interlocked.Exchange(ref _sweepAfterClaims, Math.Max(SweepThreshold, live));
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
