using System.Collections.Concurrent;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>Decisions by id, findable by any member signal of their burst too.</summary>
public sealed class InMemoryDecisionStore : IDecisionStore
{
    private readonly ConcurrentDictionary<string, Decision> _decisions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Decision> _byMember = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Symbol, SymbolIndex<Decision>> _bySymbol = new();

    public int Count => _decisions.Count;

    public Task<bool> TryAddAsync(Decision decision, CancellationToken cancellationToken)
    {
        if (!_decisions.TryAdd(decision.DecisionId, decision))
        {
            return Task.FromResult(false);
        }

        foreach (var member in decision.Members)
        {
            var memberDecisionId = SignalIdentity.DecisionIdFor(member);
            if (memberDecisionId != decision.DecisionId)
            {
                _byMember.TryAdd(memberDecisionId, decision);
            }
        }

        _bySymbol.GetOrAdd(decision.Symbol, static _ => new SymbolIndex<Decision>()).Add(decision, decision.DecidedAt);
        return Task.FromResult(true);
    }

    public Task<Decision?> GetAsync(string decisionId, CancellationToken cancellationToken) =>
        Task.FromResult(_decisions.GetValueOrDefault(decisionId) ?? _byMember.GetValueOrDefault(decisionId));

    public Task<IReadOnlyList<Decision>> ListBySymbolAsync(Symbol symbol, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(_bySymbol.TryGetValue(symbol, out var index) ? index.Newest(limit) : (IReadOnlyList<Decision>)[]);
}
