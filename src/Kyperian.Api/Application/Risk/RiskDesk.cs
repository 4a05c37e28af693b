using System.Globalization;
using Kyperian.Api.Application.Settings;
using Kyperian.Domain.Audit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;

namespace Kyperian.Api.Application.Risk;

/// <summary>
/// What operators do to the account's risk: report P&amp;L, halt and resume entries. Each change lands in the risk
/// ledger, its consequences (a warning, a breach, a halt, a resume) in the risk events, and the act itself in the
/// audit log.
/// </summary>
public sealed class RiskDesk(
    IRiskLedger ledger,
    IRiskEventLog riskEvents,
    IAuditLog audit,
    EngineSettingsSource settings,
    TimeProvider time)
{
    public async Task<(RiskState Risk, EngineSettings Settings)> GetAsync(CancellationToken cancellationToken)
    {
        var current = await settings.CurrentAsync(cancellationToken);
        return (await ledger.GetAsync(current.TradingDayOf(time.GetUtcNow()), cancellationToken), current);
    }

    /// <returns>Null when P&amp;L comes from the model's closed trades (<c>PnlSource = Model</c>) and reports are refused.</returns>
    public async Task<(RiskState Risk, EngineSettings Settings)?> ReportPnlAsync(double pnlPct, string? note, CancellationToken cancellationToken)
    {
        var current = await settings.CurrentAsync(cancellationToken);
        if (current.PnlSource == PnlSource.Model)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var day = current.TradingDayOf(now);
        var before = await ledger.GetAsync(day, cancellationToken);
        var after = await ledger.RecordPnlAsync(pnlPct, day, cancellationToken);
        await RecordAsync(RiskEvents.Between(before, after, current.RiskLimits, now), cancellationToken);
        await audit.AppendAsync(
            new AuditEntry
            {
                EntryId = AuditEntry.NewId(now),
                Kind = AuditKind.PnlReport,
                At = now,
                Text = string.Create(
                    CultureInfo.InvariantCulture,
                    $"P&L of {pnlPct:+0.####;-0.####;0} % reported; the trading day stands at {after.RealizedPnlTodayPct:+0.####;-0.####;0} %."),
                PnlPct = pnlPct,
                Note = note,
            },
            cancellationToken);
        return (after, current);
    }

    public Task<(RiskState Risk, EngineSettings Settings)> HaltAsync(string reason, CancellationToken cancellationToken) =>
        SetHaltedAsync(true, reason, cancellationToken);

    public Task<(RiskState Risk, EngineSettings Settings)> ResumeAsync(CancellationToken cancellationToken) =>
        SetHaltedAsync(false, null, cancellationToken);

    /// <summary>Risk events the engine found (a breach from model P&amp;L, a day that lifted one); each is kept once.</summary>
    public async Task RecordAsync(IReadOnlyList<RiskEvent> events, CancellationToken cancellationToken)
    {
        foreach (var riskEvent in events)
        {
            await riskEvents.TryAddAsync(riskEvent, cancellationToken);
        }
    }

    private async Task<(RiskState Risk, EngineSettings Settings)> SetHaltedAsync(bool halted, string? reason, CancellationToken cancellationToken)
    {
        var current = await settings.CurrentAsync(cancellationToken);
        var now = time.GetUtcNow();
        var day = current.TradingDayOf(now);
        var before = await ledger.GetAsync(day, cancellationToken);
        var after = await ledger.SetHaltedAsync(halted, reason, day, cancellationToken);
        await RecordAsync(RiskEvents.Between(before, after, current.RiskLimits, now), cancellationToken);
        await audit.AppendAsync(
            new AuditEntry
            {
                EntryId = AuditEntry.NewId(now),
                Kind = halted ? AuditKind.Halt : AuditKind.Resume,
                At = now,
                Text = halted
                    ? before.Halted ? "Entries halted again (they already were)." : "Entries halted."
                    : before.Halted ? "Entries resumed." : "Resume asked while entries were not halted.",
                Note = reason,
            },
            cancellationToken);
        return (after, current);
    }
}
