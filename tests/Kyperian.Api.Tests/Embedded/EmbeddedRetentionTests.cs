using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Api.Tests.Adapters;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Kyperian.Api.Tests.Embedded;

/// <summary>Retention removes what DynamoDB's TTL would, in small batches; the health check names the file.</summary>
public sealed class EmbeddedRetentionTests
{
    private static EmbeddedTestDatabase Open() => new(new Dictionary<string, string?>
    {
        ["Kyperian:Embedded:RetentionDays"] = "30",
        ["Kyperian:Embedded:RetentionBatch"] = "3",
    });

    private static EmbeddedRetention Retention(EmbeddedTestDatabase db) =>
        db.Services.GetServices<IHostedService>().OfType<EmbeddedRetention>().Single();

    [Fact]
    public async Task History_older_than_the_retention_is_removed_in_batches_and_the_rest_kept()
    {
        await using var db = Open();
        var now = db.Time.GetUtcNow();
        var signals = db.Get<ISignalStore>();
        var decisions = db.Get<IDecisionStore>();
        var old = Enumerable.Range(0, 10).Select(i => TestData.Signal(receivedAt: now.AddDays(-40).AddMinutes(i))).ToList();
        var kept = Enumerable.Range(0, 2).Select(i => TestData.Signal(receivedAt: now.AddDays(-29).AddMinutes(i))).ToList();
        foreach (var signal in old.Concat(kept))
        {
            await signals.TryAddAsync(signal, PublishState.Published, default);
            await decisions.TryAddAsync(TestData.Decision(signal, signal.ReceivedAt.AddMilliseconds(2)), default);
        }

        var batches = 0;
        var database = db.Get<EmbeddedDatabase>();
        var before = database.LastQueuedWrite;
        var removed = await Retention(db).RemoveExpiredAsync(default);
        batches = (int)(database.LastQueuedWrite - before);

        Assert.Equal(20, removed);

        // 10 rows in batches of 3 per table: 4 writes each, and one write per other expiring table (the notification
        // outbox, timeframe state, cooldowns, activity counters...) with nothing to remove.
        Assert.InRange(batches, 8, 14);
        foreach (var signal in old)
        {
            Assert.Null(await signals.GetAsync(signal.SignalId, default));
            Assert.Null(await decisions.GetAsync(Kyperian.Domain.Signals.SignalIdentity.DecisionIdFor(signal.SignalId), default));
        }

        foreach (var signal in kept)
        {
            Assert.NotNull(await signals.GetAsync(signal.SignalId, default));
        }

        Assert.Equal(2, await db.Get<SqliteSignalStore>().CountAsync());
        Assert.Equal(2, await db.Get<SqliteDecisionStore>().CountAsync());
        Assert.Equal(0, await Retention(db).RemoveExpiredAsync(default));

        db.Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(4, await Retention(db).RemoveExpiredAsync(default));
        Assert.Equal(0, await db.Get<SqliteSignalStore>().CountAsync());
    }

    [Fact]
    public async Task Lapsed_dedupe_claims_and_cooldowns_and_stale_timeframe_state_are_removed()
    {
        await using var db = Open();
        var now = db.Time.GetUtcNow();
        var dedupe = db.Get<IDedupeStore>();
        var market = db.Get<IMarketState>();
        var ids = Enumerable.Range(0, 7).Select(_ => TestData.UniqueId()).ToList();
        foreach (var id in ids)
        {
            await dedupe.TryClaimAsync(id, TimeSpan.FromSeconds(300), default);
        }

        var signal = TestData.Signal(alertTime: now, receivedAt: now);
        await market.RecordAsync(signal, default);
        await market.SetLastExecuteAsync(signal.Symbol, now, TimeSpan.FromMinutes(15), default);
        await db.Get<ISignalStore>().TryAddAsync(signal, PublishState.Pending, default);

        Assert.Equal(0, await Retention(db).RemoveExpiredAsync(default));
        db.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(8, await Retention(db).RemoveExpiredAsync(default));
        Assert.Equal(1L, await Count(db, "timeframe_state"));

        db.Time.Advance(TimeSpan.FromDays(31));
        Assert.Equal(2, await Retention(db).RemoveExpiredAsync(default));
        Assert.Equal(0L, await Count(db, "timeframe_state"));
        Assert.Equal(0L, await Count(db, "dedupe_claims"));
    }

    [Fact]
    public async Task Health_reports_the_file_its_size_and_the_retention()
    {
        await using var db = Open();
        await db.Get<ISignalStore>().TryAddAsync(TestData.Signal(), PublishState.Pending, default);

        var report = await db.Get<HealthCheckService>().CheckHealthAsync(default);
        var entry = report.Entries["store"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains(db.FilePath, entry.Description, StringComparison.Ordinal);
        Assert.Contains("retention 30 days", entry.Description, StringComparison.Ordinal);
        Assert.Contains("1 signals, 0 decisions", entry.Description, StringComparison.Ordinal);
        Assert.Equal(db.FilePath, entry.Data["path"]);
        Assert.True((long)entry.Data["sizeBytes"] > 0);
        Assert.Equal(30, entry.Data["retentionDays"]);
    }

    private static Task<long> Count(EmbeddedTestDatabase db, string table) =>
        db.Get<EmbeddedDatabase>().ReadAsync(table, static (c, t) => (long)c.Statement("SELECT count(*) FROM " + t).ExecuteScalar()!, default);
}
