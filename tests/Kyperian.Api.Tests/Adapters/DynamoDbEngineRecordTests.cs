using Kyperian.Api.Tests.Servers;
using Kyperian.Domain.Audit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace Kyperian.Api.Tests.Adapters;

/// <summary>What engine v2 keeps in DynamoDB (burst pointers, positions, trades, settings, audit, risk events), against dynalite.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDbEngineRecordTests(DynaliteServer dynalite) : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 1, 15, 4, 0, 2, TimeSpan.Zero);
    private static readonly Symbol Btc = Symbol.FromTrusted("BTCUSDT");

    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10];
    private ServiceProvider _services = null!;

    private IDecisionStore Decisions => _services.GetRequiredService<IDecisionStore>();

    private IPositionBook Positions => _services.GetRequiredService<IPositionBook>();

    public async Task InitializeAsync() => _services = await AdapterTestHost.DynamoDbStoresAsync(dynalite.ServiceUrl, _prefix);

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task A_bursts_decision_is_found_by_every_member_and_never_shadows_a_decision_of_its_own()
    {
        var trigger = TestData.Signal("SOLUSDT", "15");
        var alone = TestData.Signal("SOLUSDT", "60");
        var member = TestData.Signal("SOLUSDT", "240");
        Assert.True(await Decisions.TryAddAsync(TestData.Decision(alone, At.AddMinutes(-1)), default));

        var burst = TestData.Decision(trigger, At, Verdict.Execute, [member.SignalId, trigger.SignalId, alone.SignalId]);
        Assert.True(await Decisions.TryAddAsync(burst, default));

        var byMember = await Decisions.GetAsync(SignalIdentity.DecisionIdFor(member.SignalId), default);
        Assert.Equal(TestData.Json(burst), TestData.Json(byMember!));
        Assert.Equal(burst.DecisionId, (await Decisions.GetAsync(burst.DecisionId, default))!.DecisionId);

        // The signal decided on its own before keeps its own decision.
        Assert.Equal(SignalIdentity.DecisionIdFor(alone.SignalId), (await Decisions.GetAsync(SignalIdentity.DecisionIdFor(alone.SignalId), default))!.DecisionId);

        // Pointers are not decisions of the symbol.
        var listed = await Decisions.ListBySymbolAsync(Symbol.FromTrusted("SOLUSDT"), 10, default);
        Assert.Equal([burst.DecisionId, SignalIdentity.DecisionIdFor(alone.SignalId)], listed.Select(d => d.DecisionId));
    }

    [Fact]
    public async Task A_position_moves_once_refuses_a_stale_move_and_keeps_its_trades()
    {
        Assert.True((await Positions.GetAsync(Btc, default)).IsFlat);

        var open = Position.Open(Btc, 1, 0.64, 100m, At, "dec_open");
        var opening = new PositionChange("dec_open", Position.FlatOf(Btc), open, null);
        Assert.Equal(PositionMoveOutcome.Applied, await Positions.ApplyAsync(opening, default));
        Assert.Equal(PositionMoveOutcome.AlreadyApplied, await Positions.ApplyAsync(opening, default));
        Assert.Equal(open, await Positions.GetAsync(Btc, default));
        Assert.Equal([open], await Positions.ListOpenAsync(default));

        // A move decided on the flat book, after the long opened, is refused.
        var stale = new PositionChange("dec_stale", Position.FlatOf(Btc), Position.Open(Btc, -1, 1, 99m, At, "dec_stale"), null);
        Assert.Equal(PositionMoveOutcome.Conflict, await Positions.ApplyAsync(stale, default));

        var trade = open.Close(95m, At.AddHours(2), "dec_reverse");
        var reversed = Position.Open(Btc, -1, 0.5, 95m, At.AddHours(2), "dec_reverse");
        var reversal = new PositionChange("dec_reverse", open, reversed, trade);
        Assert.Equal(PositionMoveOutcome.Applied, await Positions.ApplyAsync(reversal, default));
        Assert.Equal(PositionMoveOutcome.AlreadyApplied, await Positions.ApplyAsync(reversal, default));

        var exitTrade = reversed.Close(90m, At.AddHours(3), "dec_exit");
        Assert.Equal(PositionMoveOutcome.Applied, await Positions.ApplyAsync(new PositionChange("dec_exit", reversed, reversed.ClosedBy("dec_exit"), exitTrade), default));

        var flat = await Positions.GetAsync(Btc, default);
        Assert.True(flat.IsFlat);
        Assert.Equal("dec_exit", flat.LastDecisionId);
        Assert.Empty(await Positions.ListOpenAsync(default));
        Assert.Equal([exitTrade, trade], await Positions.ListClosedTradesAsync(Btc, 10, default));
        Assert.Equal([exitTrade], await Positions.ListClosedTradesAsync(Btc, 1, default));
    }

    [Fact]
    public async Task Settings_versions_follow_each_other_and_a_lost_race_is_refused()
    {
        var store = _services.GetRequiredService<IEngineSettingsStore>();
        Assert.Null(await store.GetLatestAsync(default));

        var first = EngineSettingsOverlay.Next(null, new EngineSettings { MinScore = 0.4, TradingDays = [DayOfWeek.Monday] }, ["minScore", "tradingDays"], At);
        Assert.True(await store.TryAddAsync(first, default));
        Assert.False(await store.TryAddAsync(first with { ChangedAt = At.AddSeconds(1) }, default));

        var second = EngineSettingsOverlay.Next(first, new EngineSettings { RiskDayStartUtc = new TimeOnly(22, 0) }, ["riskDayStartUtc"], At.AddMinutes(1));
        Assert.True(await store.TryAddAsync(second, default));

        var latest = await store.GetLatestAsync(default);
        Assert.Equal(2, latest!.Version);
        Assert.Equal(["minScore", "riskDayStartUtc", "tradingDays"], latest.Fields);
        var effective = EngineSettingsOverlay.Effective(new EngineSettings(), latest);
        Assert.Equal((0.4, new TimeOnly(22, 0), 2L), (effective.MinScore, effective.RiskDayStartUtc, effective.Version));
        Assert.Equal([DayOfWeek.Monday], effective.TradingDays);
        Assert.Equal(At.AddMinutes(1), latest.ChangedAt);
    }

    [Fact]
    public async Task The_audit_log_and_risk_events_list_newest_first_and_an_event_is_kept_once()
    {
        var audit = _services.GetRequiredService<IAuditLog>();
        var halt = new AuditEntry { EntryId = AuditEntry.NewId(At), Kind = AuditKind.Halt, At = At, Text = "Entries halted.", Note = "FOMC" };
        var pnl = new AuditEntry { EntryId = AuditEntry.NewId(At.AddMinutes(1)), Kind = AuditKind.PnlReport, At = At.AddMinutes(1), Text = "P&L", PnlPct = -1.25 };
        var change = new AuditEntry
        {
            EntryId = AuditEntry.NewId(At.AddMinutes(2)), Kind = AuditKind.SettingsChange, At = At.AddMinutes(2), Text = "v1", SettingsVersion = 1, Fields = ["minScore"],
        };
        foreach (var entry in new[] { halt, pnl, change })
        {
            await audit.AppendAsync(entry, default);
        }

        var entries = await audit.ListAsync(10, default);
        Assert.Equal([change.EntryId, pnl.EntryId, halt.EntryId], entries.Select(e => e.EntryId));
        Assert.Equal(("FOMC", AuditKind.Halt), (entries[2].Note, entries[2].Kind));
        Assert.Equal(-1.25, entries[1].PnlPct);
        Assert.Equal(1L, entries[0].SettingsVersion);
        Assert.Equal(["minScore"], entries[0].Fields!);

        var events = _services.GetRequiredService<IRiskEventLog>();
        var start = RiskState.Empty with { Day = DateOnly.FromDateTime(At.UtcDateTime) };
        var warning = RiskEvents.Between(start, start.WithPnl(-4.5, start.Day), new EngineSettings().RiskLimits, At).Single();
        Assert.True(await events.TryAddAsync(warning, default));
        Assert.False(await events.TryAddAsync(warning, default));
        var listed = Assert.Single(await events.ListAsync(10, default));
        Assert.Equal(warning, listed);
    }
}
