using System.Diagnostics.Metrics;
using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Api.Tests.Adapters;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Tests.Embedded;

/// <summary>The signal and decision stores and the risk ledger on a real database file, and what a restart keeps.</summary>
public sealed class EmbeddedStoreTests : IAsyncLifetime
{
    private readonly EmbeddedTestDatabase _db = new();

    private ISignalStore Signals => _db.Get<ISignalStore>();

    private IDecisionStore Decisions => _db.Get<IDecisionStore>();

    private IRiskLedger Risk => _db.Get<IRiskLedger>();

    private DateTimeOffset Now => _db.Time.GetUtcNow();

    /// <summary>Opens the database, as the first use in the app does.</summary>
    public Task InitializeAsync() => Task.FromResult(_db.Get<EmbeddedDatabase>());

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public void The_file_and_its_folder_are_created_on_first_use()
    {
        Assert.True(File.Exists(_db.FilePath));
        Assert.Equal(_db.FilePath, _db.Get<EmbeddedDatabase>().FullPath);
        Assert.Equal(EmbeddedSchema.CurrentVersion, _db.Get<EmbeddedDatabase>().SchemaVersion);
    }

    [Fact]
    public async Task A_signal_is_added_once_and_read_back_whole()
    {
        var signal = TestData.Signal(receivedAt: Now, alertTime: Now.AddSeconds(-3));
        Assert.True(await Signals.TryAddAsync(signal, PublishState.Pending, default));
        Assert.False(await Signals.TryAddAsync(signal with { Price = 1m }, PublishState.Published, default));

        var stored = await Signals.GetAsync(signal.SignalId, default);
        Assert.Equal(signal, stored);
        Assert.Null(await Signals.GetAsync("sig_missing", default));
        Assert.Equal(1, await _db.Get<SqliteSignalStore>().CountAsync());
    }

    [Fact]
    public async Task Signals_of_a_symbol_are_listed_newest_first_up_to_the_limit()
    {
        var signals = Enumerable.Range(0, 5).Select(i => TestData.Signal(symbol: "ETHUSDT", receivedAt: Now.AddSeconds(i))).ToList();
        foreach (var signal in signals.AsEnumerable().Reverse())
        {
            await Signals.TryAddAsync(signal, PublishState.Published, default);
        }

        await Signals.TryAddAsync(TestData.Signal(symbol: "SOLUSDT", receivedAt: Now), PublishState.Published, default);

        var listed = await Signals.ListBySymbolAsync(Symbol.FromTrusted("ETHUSDT"), 3, default);
        Assert.Equal(signals.AsEnumerable().Reverse().Take(3).Select(s => s.SignalId), listed.Select(s => s.SignalId));
        Assert.Empty(await Signals.ListBySymbolAsync(Symbol.FromTrusted("XRPUSDT"), 3, default));
    }

    [Fact]
    public async Task Pending_signals_are_listed_oldest_first_until_published_or_decided()
    {
        var old = TestData.Signal(receivedAt: Now.AddMinutes(-3));
        var older = TestData.Signal(receivedAt: Now.AddMinutes(-4));
        var published = TestData.Signal(receivedAt: Now.AddMinutes(-5));
        var recent = TestData.Signal(receivedAt: Now);
        var decided = TestData.Signal(receivedAt: Now.AddMinutes(-6));
        foreach (var signal in new[] { old, older, recent, decided })
        {
            await Signals.TryAddAsync(signal, PublishState.Pending, default);
        }

        await Signals.TryAddAsync(published, PublishState.Published, default);
        await Decisions.TryAddAsync(TestData.Decision(decided, Now), default);

        var pending = await Signals.ListPendingAsync(Now.AddMinutes(-1), 10, default);
        Assert.Equal([older.SignalId, old.SignalId], pending.Select(s => s.SignalId));
        Assert.Single(await Signals.ListPendingAsync(Now.AddMinutes(-1), 1, default));

        await Signals.MarkPublishedAsync(older.SignalId, default);
        Assert.Equal([old.SignalId], (await Signals.ListPendingAsync(Now.AddMinutes(-1), 10, default)).Select(s => s.SignalId));
    }

    [Fact]
    public async Task Published_but_undecided_signals_become_pending_again_when_requeued()
    {
        var published = TestData.Signal(receivedAt: Now.AddMinutes(-2));
        var decided = TestData.Signal(receivedAt: Now.AddMinutes(-2));
        await Signals.TryAddAsync(published, PublishState.Published, default);
        await Signals.TryAddAsync(decided, PublishState.Published, default);
        await Decisions.TryAddAsync(TestData.Decision(decided, Now), default);

        Assert.Equal(1, await _db.Get<SqliteSignalStore>().RequeuePublishedAsync());
        Assert.Equal([published.SignalId], (await Signals.ListPendingAsync(Now, 10, default)).Select(s => s.SignalId));
    }

    [Fact]
    public async Task A_decision_is_recorded_once_and_listed_newest_first()
    {
        var signals = Enumerable.Range(0, 4).Select(_ => TestData.Signal(symbol: "NQ1!", receivedAt: Now)).ToList();
        var decisions = signals.Select((s, i) => TestData.Decision(s, Now.AddSeconds(i), i % 2 == 0 ? Verdict.Execute : Verdict.Veto)).ToList();
        foreach (var decision in decisions)
        {
            Assert.True(await Decisions.TryAddAsync(decision, default));
        }

        Assert.False(await Decisions.TryAddAsync(decisions[0] with { Score = -1 }, default));

        var stored = await Decisions.GetAsync(decisions[1].DecisionId, default);
        Assert.NotNull(stored);
        Assert.Equal(TestData.Json(decisions[1]), TestData.Json(stored));
        Assert.Equal(TestData.Json(decisions[0]), TestData.Json((await Decisions.GetAsync(decisions[0].DecisionId, default))!));

        var listed = await Decisions.ListBySymbolAsync(Symbol.FromTrusted("NQ1!"), 10, default);
        Assert.Equal(decisions.AsEnumerable().Reverse().Select(d => d.DecisionId), listed.Select(d => d.DecisionId));
        Assert.Equal(4, await _db.Get<SqliteDecisionStore>().CountAsync());
    }

    [Fact]
    public async Task The_risk_ledger_applies_pnl_entries_and_the_halt_in_order()
    {
        var day = RiskState.DayOf(Now);
        Assert.Equal(RiskState.Empty.On(day), await Risk.GetAsync(day, default));

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Risk.RecordPnlAsync(0.5, day, default)));
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Risk.RecordEntryAsync(day, default)));
        await Risk.RecordPnlAsync(-30, day, default);
        var halted = await Risk.SetHaltedAsync(true, "operator: news", day, default);

        Assert.True(halted.Halted);
        var state = await Risk.GetAsync(day, default);
        Assert.Equal(-5, state.RealizedPnlTodayPct, 9);
        Assert.Equal(25, state.PeakPnlPct, 9);
        Assert.Equal(30, state.DrawdownPct, 9);
        Assert.Equal(20, state.EntriesToday);
        Assert.Equal("operator: news", state.HaltReason);

        var tomorrow = await Risk.GetAsync(day.AddDays(1), default);
        Assert.Equal(0, tomorrow.RealizedPnlTodayPct);
        Assert.Equal(0, tomorrow.EntriesToday);
        Assert.True(tomorrow.Halted);

        var resumed = await Risk.SetHaltedAsync(false, "ignored", day, default);
        Assert.False(resumed.Halted);
        Assert.Null(resumed.HaltReason);
    }

    [Fact]
    public async Task A_restart_on_the_same_file_keeps_signals_decisions_pending_state_and_the_ledger()
    {
        var day = RiskState.DayOf(Now);
        var pending = TestData.Signal(receivedAt: Now.AddMinutes(-1));
        var decided = TestData.Signal(receivedAt: Now.AddMinutes(-1));
        var decision = TestData.Decision(decided, Now, Verdict.Execute);
        await Signals.TryAddAsync(pending, PublishState.Pending, default);
        await Signals.TryAddAsync(decided, PublishState.Published, default);
        await Decisions.TryAddAsync(decision, default);
        await Risk.RecordPnlAsync(-1.25, day, default);
        await Risk.RecordEntryAsync(day, default);
        await Risk.SetHaltedAsync(true, "kill switch", day, default);

        await _db.RestartAsync();

        Assert.Equal(pending, await Signals.GetAsync(pending.SignalId, default));
        Assert.Equal(decided, await Signals.GetAsync(decided.SignalId, default));
        Assert.Equal(decision.DecisionId, (await Decisions.GetAsync(decision.DecisionId, default))?.DecisionId);
        Assert.Equal([pending.SignalId], (await Signals.ListPendingAsync(Now, 10, default)).Select(s => s.SignalId));
        Assert.False(await Signals.TryAddAsync(pending, PublishState.Pending, default));
        Assert.Equal(2, await _db.Get<SqliteSignalStore>().CountAsync());
        Assert.Equal(1, await _db.Get<SqliteDecisionStore>().CountAsync());

        var state = await Risk.GetAsync(day, default);
        Assert.True(state.Halted);
        Assert.Equal("kill switch", state.HaltReason);
        Assert.Equal(-1.25, state.RealizedPnlTodayPct);
        Assert.Equal(1, state.EntriesToday);
    }

    [Fact]
    public async Task Concurrent_writes_share_commits_and_are_all_stored()
    {
        var signals = Enumerable.Range(0, 500).Select(i => TestData.Signal(symbol: "SYM" + (i % 7), receivedAt: Now)).ToList();
        var added = await Task.WhenAll(signals.Select(s => Task.Run(() => Signals.TryAddAsync(s, PublishState.Pending, default))));
        Assert.All(added, Assert.True);
        await _db.RestartAsync();
        Assert.Equal(500, await _db.Get<SqliteSignalStore>().CountAsync());
        foreach (var signal in signals.Take(20))
        {
            Assert.NotNull(await Signals.GetAsync(signal.SignalId, default));
        }
    }

    [Fact]
    public async Task The_writer_reports_each_commit_with_the_writes_it_carried()
    {
        var meters = _db.Get<IMeterFactory>();
        await _db.Get<SqliteSignalStore>().CountAsync(); // the store's own start-up read, before counting
        var commits = 0;
        var writes = 0L;
        var durations = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == EmbeddedMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "kyperian.embedded.commit.writes")
            {
                Interlocked.Increment(ref commits);
                Interlocked.Add(ref writes, value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "kyperian.embedded.commit.duration")
            {
                lock (durations)
                {
                    durations.Add(value);
                }
            }
        });
        listener.Start();

        var signals = Enumerable.Range(0, 200).Select(i => TestData.Signal(symbol: "SYM" + (i % 5), receivedAt: Now)).ToList();
        Assert.All(await Task.WhenAll(signals.Select(s => Task.Run(() => Signals.TryAddAsync(s, PublishState.Pending, default)))), Assert.True);

        // Every write is counted in the commit that carried it; concurrent ones share commits.
        Assert.Equal(200, Volatile.Read(ref writes));
        Assert.InRange(Volatile.Read(ref commits), 1, 200);
        lock (durations)
        {
            Assert.Equal(Volatile.Read(ref commits), durations.Count);
            Assert.All(durations, d => Assert.True(d >= 0));
        }
    }

    [Fact]
    public async Task A_failing_write_leaves_nothing_behind_and_does_not_fail_its_batch()
    {
        var database = _db.Get<EmbeddedDatabase>();
        var good = TestData.Signal(receivedAt: Now);
        var goodWrite = Signals.TryAddAsync(good, PublishState.Pending, default);
        var failing = database.WriteAsync(0, static (c, _) =>
        {
            c.Statement("INSERT INTO dedupe_claims (claim_id, expires_at) VALUES ('half-written', 1)").ExecuteNonQuery();
            return c.Statement("SELECT no_such_column FROM signals").ExecuteNonQuery();
        });

        await Assert.ThrowsAnyAsync<Exception>(() => failing);
        Assert.True(await goodWrite);
        Assert.NotNull(await Signals.GetAsync(good.SignalId, default));
        Assert.Equal(0L, await database.ReadAsync(0, static (c, _) => (long)c.Statement("SELECT count(*) FROM dedupe_claims WHERE claim_id = 'half-written'").ExecuteScalar()!, default));
    }

    [Fact]
    public async Task A_second_opener_of_the_file_is_refused()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new EmbeddedOptions { Path = _db.FilePath });
        var error = Assert.Throws<InvalidOperationException>(() => new EmbeddedDatabase(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<EmbeddedDatabase>.Instance));
        Assert.Contains("in use by another process", error.Message, StringComparison.Ordinal);
    }
}
