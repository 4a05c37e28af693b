using System.Collections.Concurrent;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Infrastructure.Embedded;

public sealed class InMemoryDecisionStore : IDecisionStore, IDecisionHistory
{
    private readonly ConcurrentDictionary<string, Decision> _decisions = new(StringComparer.Ordinal);

    /// <summary>Every decision in list order: newest first, ties by the greater id.</summary>
    private readonly SortedSet<DecisionPosition> _byTime = new(Comparer<DecisionPosition>.Create(
        static (a, b) => a.IsBefore(b) ? -1 : b.IsBefore(a) ? 1 : 0));
    private readonly ConcurrentDictionary<Symbol, SymbolIndex<Decision>> _bySymbol = new();

    public int Count => _decisions.Count;

    public Task<bool> TryAddAsync(Decision decision, CancellationToken cancellationToken)
    {
        if (!_decisions.TryAdd(decision.DecisionId, decision))
        {
            return Task.FromResult(false);
        }

        _bySymbol.GetOrAdd(decision.Symbol, static _ => new SymbolIndex<Decision>()).Add(decision, decision.DecidedAt);
        lock (_byTime)
        {
            _byTime.Add(DecisionPosition.Of(decision));
        }

        return Task.FromResult(true);
    }

    public Task<Decision?> GetAsync(string decisionId, CancellationToken cancellationToken) =>
        Task.FromResult(_decisions.GetValueOrDefault(decisionId));

    public Task<IReadOnlyList<Decision>> ListBySymbolAsync(Symbol symbol, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(_bySymbol.TryGetValue(symbol, out var index) ? index.Newest(limit) : (IReadOnlyList<Decision>)[]);

    public Task<DecisionPage> QueryAsync(DecisionQuery query, CancellationToken cancellationToken)
    {
        var page = new List<Decision>(Math.Min(query.Limit, 256));
        var more = false;
        lock (_byTime)
        {
            foreach (var position in _byTime)
            {
                if (query.After is { } after && !after.IsBefore(position))
                {
                    continue;
                }

                var decision = _decisions[position.DecisionId];
                if (!query.Matches(decision))
                {
                    continue;
                }

                if (page.Count == query.Limit)
                {
                    more = true;
                    break;
                }

                page.Add(decision);
            }
        }

        return Task.FromResult(new DecisionPage(page, more ? DecisionPosition.Of(page[^1]) : null));
    }

    public Task<IReadOnlyDictionary<Symbol, Decision>> LatestBySymbolAsync(IReadOnlyCollection<Symbol> symbols, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<Symbol, Decision>();
        foreach (var symbol in symbols)
        {
            if (_bySymbol.TryGetValue(symbol, out var index) && index.Newest(1) is [var newest])
            {
                latest[symbol] = newest;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<Symbol, Decision>>(latest);
    }
}
