using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>Model positions and closed trades, in process.</summary>
public sealed class InMemoryPositionBook : IPositionBook
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Symbol, Position> _positions = [];
    private readonly Dictionary<Symbol, List<ClosedTrade>> _trades = [];

    public Task<Position> GetAsync(Symbol symbol, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_positions.GetValueOrDefault(symbol) ?? Position.FlatOf(symbol));
        }
    }

    public Task<IReadOnlyList<Position>> ListOpenAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Position>>([.. _positions.Values.Where(p => !p.IsFlat).OrderBy(p => p.Symbol.Value, StringComparer.Ordinal)]);
        }
    }

    public Task<PositionMoveOutcome> ApplyAsync(PositionChange change, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var symbol = change.After.Symbol;
            var outcome = change.AppliedTo(_positions.GetValueOrDefault(symbol) ?? Position.FlatOf(symbol));
            if (outcome == PositionMoveOutcome.Applied)
            {
                _positions[symbol] = change.After;
                if (change.Closed is { } trade)
                {
                    (_trades.TryGetValue(symbol, out var list) ? list : _trades[symbol] = []).Add(trade);
                }
            }

            return Task.FromResult(outcome);
        }
    }

    public Task<IReadOnlyList<ClosedTrade>> ListClosedTradesAsync(Symbol symbol, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ClosedTrade>>(
                _trades.TryGetValue(symbol, out var list) ? [.. list.OrderByDescending(t => t.ClosedAt).Take(limit)] : []);
        }
    }
}
