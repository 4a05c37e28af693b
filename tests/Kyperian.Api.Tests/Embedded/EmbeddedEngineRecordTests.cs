using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Api.Tests.Adapters;
using Kyperian.Domain.Audit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Tests.Embedded;

/// <summary>What engine v2 keeps in the embedded database (burst members, positions, trades, settings, audit, risk events), and that a restart keeps it.</summary>
public sealed class EmbeddedEngineRecordTests : IAsyncLifetime
{
    private static readonly Symbol Btc = Symbol.FromTrusted("BTCUSDT");

    private readonly EmbeddedTestDatabase _db = new();

    private DateTimeOffset At => _db.Time.GetUtcNow();

    private IDecisionStore Decisions => _db.Get<IDecisionStore>();

    private IPositionBook Positions => _db.Get<IPositionBook>();

    public Task InitializeAsync() => Task.FromResult(_db.Get<EmbeddedDatabase>());

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_bursts_decision_is_found_by_every_member_takes_them_all_out_of_the_outbox_and_never_shadows_a_decision_of_its_own()
    {
        var trigger = TestData.Signal("SOLUSDT", "15", receivedAt: At);
        var alone = TestData.Signal("SOLUSDT", "60", receivedAt: At);
        var member = TestData.Signal("SOLUSDT", "240", receivedAt: At);
        foreach (var signal in new[] { trigger, alone, member })
        {
            await _db.Get<ISignalStore>().TryAddAsync(signal, PublishState.Published, default);
        }

        Assert.True(await Decisions.TryAddAsync(TestData.Decision(alone, At.AddMinutes(-1)), default));
        var burst = TestData.Decision(trigger, At, Verdict.Execute, [member.SignalId, trigger.SignalId, alone.SignalId]);
        Assert.True(await Decisions.TryAddAsync(burst, default));
        await _db.RestartAsync();

        Assert.Equal(TestData.Json(burst), TestData.Json((await Decisions.GetAsync(SignalIdentity.DecisionIdFor(member.SignalId), default))!));
        Assert.Equal(SignalIdentity.DecisionIdFor(alone.SignalId), (await Decisions.GetAsync(SignalIdentity.DecisionIdFor(alone.SignalId), default))!.DecisionId);
        Assert.Equal(2, (await Decisions.ListBySymbolAsync(Symbol.FromTrusted("SOLUSDT"), 10, default)).Count);

        // Decided, every member: none waits in the outbox to be decided again after a restart.
        Assert.Empty(await _db.Get<ISignalStore>().ListPendingAsync(At.AddDays(1), 10, default));
    }

    [Fact]
    public async Task A_position_moves_once_refuses_a_stale_move_keeps_its_trades_and_survives_a_restart()
    {
        var open = Position.Open(Btc, 1, 0.64, 100m, At, "dec_open");
        var opening = new PositionChange("dec_open", Position.FlatOf(Btc), open, null);
        Assert.Equal(PositionMoveOutcome.Applied, await Positions.ApplyAsync(opening, default));
        Assert.Equal(PositionMoveOutcome.AlreadyApplied, await Positions.ApplyAsync(opening, default));
        Assert.Equal(PositionMoveOutcome.Conflict, await Positions.ApplyAsync(
            new PositionChange("dec_stale", Position.FlatOf(Btc), Position.Open(Btc, -1, 1, 99m, At, "dec_stale"), null), default));

        await _db.RestartAsync();
        Assert.Equal(open, await Positions.GetAsync(Btc, default));
        Assert.Equal([open], await Positions.ListOpenAsync(default));

        var trade = open.Close(null, At.AddHours(1), "dec_exit");
        Assert.Equal(PositionMoveOutcome.Applied, await Positions.ApplyAsync(new PositionChange("dec_exit", open, open.ClosedBy("dec_exit"), trade), default));

        Assert.True((await Positions.GetAsync(Btc, default)).IsFlat);
        Assert.Empty(await Positions.ListOpenAsync(default));
        var kept = Assert.Single(await Positions.ListClosedTradesAsync(Btc, 10, default));
        Assert.Equal(trade, kept);
        Assert.Null(kept.ReturnPct); // closed without a price: the return is unknown
    }

    [Fact]
    public async Task Settings_versions_follow_each_other_and_survive_a_restart()
    {
        var store = _db.Get<IEngineSettingsStore>();
        var first = EngineSettingsOverlay.Next(null, new EngineSettings { MinScore = 0.4, TradingDays = [DayOfWeek.Friday] }, ["minScore", "tradingDays"], At);
        Assert.True(await store.TryAddAsync(first, default));
        Assert.False(await store.TryAddAsync(first, default));
        Assert.True(await store.TryAddAsync(EngineSettingsOverlay.Next(first, new EngineSettings { TotalLossBasis = TotalLossBasis.Peak }, ["totalLossBasis"], At), default));

        await _db.RestartAsync();
        var latest = await _db.Get<IEngineSettingsStore>().GetLatestAsync(default);
        Assert.Equal(2, latest!.Version);
        Assert.Equal(["minScore", "totalLossBasis", "tradingDays"], latest.Fields);
        var effective = EngineSettingsOverlay.Effective(new EngineSettings(), latest);
        Assert.Equal((0.4, TotalLossBasis.Peak), (effective.MinScore, effective.TotalLossBasis));
        Assert.Equal([DayOfWeek.Friday], effective.TradingDays);
    }

    [Fact]
    public async Task The_audit_log_risk_events_and_the_days_worst_point_survive_a_restart()
    {
        await _db.Get<IAuditLog>().AppendAsync(new AuditEntry { EntryId = AuditEntry.NewId(At), Kind = AuditKind.Halt, At = At, Text = "Entries halted.", Note = "CPI" }, default);
        await _db.Get<IAuditLog>().AppendAsync(new AuditEntry { EntryId = AuditEntry.NewId(At.AddSeconds(1)), Kind = AuditKind.Resume, At = At.AddSeconds(1), Text = "Entries resumed." }, default);

        var day = DateOnly.FromDateTime(At.UtcDateTime);
        var ledger = _db.Get<IRiskLedger>();
        var before = await ledger.GetAsync(day, default);
        await ledger.RecordPnlAsync(-5.5, day, default);
        var after = await ledger.RecordPnlAsync(1, day, default);
        var breach = Assert.Single(RiskEvents.Between(before, after, new EngineSettings().RiskLimits, At));
        Assert.True(await _db.Get<IRiskEventLog>().TryAddAsync(breach, default));
        Assert.False(await _db.Get<IRiskEventLog>().TryAddAsync(breach, default));

        await _db.RestartAsync();
        Assert.Equal([AuditKind.Resume, AuditKind.Halt], (await _db.Get<IAuditLog>().ListAsync(10, default)).Select(e => e.Kind));
        Assert.Equal(breach, Assert.Single(await _db.Get<IRiskEventLog>().ListAsync(10, default)));
        var risk = await _db.Get<IRiskLedger>().GetAsync(day, default);
        Assert.Equal((4.5, 5.5), (Math.Round(risk.DailyLossPct, 9), Math.Round(risk.WorstDailyLossPct, 9)));
    }

    [Fact]
    public async Task A_timeframe_without_confidence_and_its_arrival_are_kept()
    {
        var state = _db.Get<IMarketState>();
        var signal = TestData.Signal("ADAUSDT", "60", receivedAt: At, alertTime: At.AddSeconds(-1)) with { Confidence = null };
        await state.RecordAsync(signal, default);

        await _db.RestartAsync();
        var kept = Assert.Single(await _db.Get<IMarketState>().ReadAsync(Symbol.FromTrusted("ADAUSDT"), default));
        Assert.Null(kept.Confidence);
        Assert.Equal(At, kept.ReceivedAt);
        Assert.Empty(await _db.Get<IMarketState>().ReadAsync(Symbol.FromTrusted("NONE"), default));
    }
}
