using System.Globalization;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// The risk ledger: one row of <c>risk_ledger</c>. Every change runs on the writer (so changes apply one after the
/// other, with the domain's own rules) and is committed before it is answered: an acknowledged halt survives a crash.
/// The committed state is kept in memory for the engine, which reads it for every decision.
/// </summary>
public sealed class SqliteRiskLedger : IRiskLedger
{
    private const string LoadSql = """
        SELECT day, realized_pnl_today_pct, cumulative_pnl_pct, peak_pnl_pct, entries_today, halted, halt_reason, worst_pnl_today_pct
        FROM risk_ledger WHERE id = 1
        """;

    private const string SaveSql = """
        INSERT INTO risk_ledger (id, day, realized_pnl_today_pct, cumulative_pnl_pct, peak_pnl_pct, entries_today, halted, halt_reason, worst_pnl_today_pct)
        VALUES (1, $day, $realized, $cumulative, $peak, $entries, $halted, $halt_reason, $worst)
        ON CONFLICT (id) DO UPDATE SET day = excluded.day, realized_pnl_today_pct = excluded.realized_pnl_today_pct,
            cumulative_pnl_pct = excluded.cumulative_pnl_pct, peak_pnl_pct = excluded.peak_pnl_pct,
            entries_today = excluded.entries_today, halted = excluded.halted, halt_reason = excluded.halt_reason,
            worst_pnl_today_pct = excluded.worst_pnl_today_pct
        """;

    private readonly EmbeddedDatabase _database;
    private readonly Task _loaded;
    private readonly Lock _gate = new();

    // The state as the writer's transaction has it: read and changed on the writer thread only.
    private RiskState _writerState = RiskState.Empty;
    private long _writerVersion;

    // The state as last committed, for readers.
    private RiskState _committed = RiskState.Empty;
    private long _committedVersion;

    public SqliteRiskLedger(EmbeddedDatabase database)
    {
        _database = database;
        _loaded = _database.RunAsync(this, static (c, self) => self.Reload(c));
    }

    public async Task<RiskState> GetAsync(DateOnly day, CancellationToken cancellationToken)
    {
        await _loaded;
        lock (_gate)
        {
            return _committed.On(day);
        }
    }

    public Task<RiskState> RecordPnlAsync(double pnlPct, DateOnly day, CancellationToken cancellationToken) =>
        UpdateAsync(state => state.WithPnl(pnlPct, day));

    public Task RecordEntryAsync(DateOnly day, CancellationToken cancellationToken) =>
        UpdateAsync(state => state.WithEntry(day));

    public Task<RiskState> SetHaltedAsync(bool halted, string? reason, DateOnly day, CancellationToken cancellationToken) =>
        UpdateAsync(state => state.On(day) with { Halted = halted, HaltReason = halted ? reason : null });

    private async Task<RiskState> UpdateAsync(Func<RiskState, RiskState> change)
    {
        await _loaded;
        (RiskState State, long Version) written;
        try
        {
            written = await _database.WriteAsync((self: this, change), static (c, s) => s.self.Apply(c, s.change), isolated: false);
        }
        catch
        {
            // The transaction did not commit, so the writer's copy may be ahead of the file: read it again.
            _ = _database.RunAsync(this, static (c, self) => self.Reload(c));
            throw;
        }

        lock (_gate)
        {
            // Commits can be answered out of order; the newest version wins.
            if (written.Version > _committedVersion)
            {
                _committed = written.State;
                _committedVersion = written.Version;
            }
        }

        return written.State;
    }

    private (RiskState State, long Version) Apply(EmbeddedConnection connection, Func<RiskState, RiskState> change)
    {
        var next = change(_writerState);
        connection.Statement(SaveSql)
            .Set("$day", next.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Set("$realized", next.RealizedPnlTodayPct)
            .Set("$cumulative", next.CumulativePnlPct)
            .Set("$peak", next.PeakPnlPct)
            .Set("$entries", next.EntriesToday)
            .Set("$halted", next.Halted ? 1 : 0)
            .Set("$halt_reason", next.HaltReason)
            .Set("$worst", next.WorstPnlTodayPct)
            .ExecuteNonQuery();
        _writerState = next;
        return (next, ++_writerVersion);
    }

    private int Reload(EmbeddedConnection connection)
    {
        var state = RiskState.Empty;
        using (var reader = connection.Statement(LoadSql).ExecuteReader())
        {
            if (reader.Read())
            {
                state = new RiskState
                {
                    Day = DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                    RealizedPnlTodayPct = reader.GetDouble(1),
                    CumulativePnlPct = reader.GetDouble(2),
                    PeakPnlPct = reader.GetDouble(3),
                    EntriesToday = reader.GetInt32(4),
                    Halted = reader.GetInt64(5) != 0,
                    HaltReason = reader.IsDBNull(6) ? null : reader.GetString(6),
                    WorstPnlTodayPct = reader.GetDouble(7),
                };
            }
        }

        _writerState = state;
        var version = ++_writerVersion;
        lock (_gate)
        {
            _committed = state;
            _committedVersion = version;
        }

        return 0;
    }
}
