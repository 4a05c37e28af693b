using Kyperian.Domain.Audit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>Engine settings changed at run time, in process.</summary>
public sealed class InMemoryEngineSettingsStore : IEngineSettingsStore
{
    private readonly Lock _gate = new();
    private StoredEngineSettings? _latest;

    public Task<StoredEngineSettings?> GetLatestAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_latest);
        }
    }

    public Task<bool> TryAddAsync(StoredEngineSettings settings, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (settings.Version != (_latest?.Version ?? 0) + 1)
            {
                return Task.FromResult(false);
            }

            _latest = settings;
            return Task.FromResult(true);
        }
    }
}

/// <summary>The operator audit log, in process.</summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    private readonly Lock _gate = new();
    private readonly List<AuditEntry> _entries = [];

    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _entries.Add(entry);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<AuditEntry>>([.. _entries.AsEnumerable().Reverse().Take(limit)]);
        }
    }
}

/// <summary>Risk events, in process.</summary>
public sealed class InMemoryRiskEventLog : IRiskEventLog
{
    private readonly Lock _gate = new();
    private readonly List<RiskEvent> _events = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    public Task<bool> TryAddAsync(RiskEvent riskEvent, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_ids.Add(riskEvent.EventId))
            {
                return Task.FromResult(false);
            }

            _events.Add(riskEvent);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<RiskEvent>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<RiskEvent>>([.. _events.AsEnumerable().Reverse().Take(limit)]);
        }
    }
}
