using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;

namespace Kyperian.Api.Infrastructure.Embedded;

public sealed class InMemoryRiskLedger : IRiskLedger
{
    private readonly Lock _gate = new();
    private RiskState _state = RiskState.Empty;

    public Task<RiskState> GetAsync(DateOnly day, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_state.On(day));
        }
    }

    public Task<RiskState> RecordPnlAsync(double pnlPct, DateOnly day, CancellationToken cancellationToken) =>
        Update(state => state.WithPnl(pnlPct, day));

    public Task RecordEntryAsync(DateOnly day, CancellationToken cancellationToken) =>
        Update(state => state.WithEntry(day));

    public Task<RiskState> SetHaltedAsync(bool halted, string? reason, DateOnly day, CancellationToken cancellationToken) =>
        Update(state => state.On(day) with { Halted = halted, HaltReason = halted ? reason : null });

    private Task<RiskState> Update(Func<RiskState, RiskState> change)
    {
        lock (_gate)
        {
            _state = change(_state);
            return Task.FromResult(_state);
        }
    }
}
