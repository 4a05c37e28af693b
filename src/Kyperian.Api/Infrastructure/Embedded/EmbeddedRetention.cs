using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>A table that retention trims: rows in arrival order (an INTEGER PRIMARY KEY <c>seq</c>) with a time column.</summary>
/// <param name="Table">The table.</param>
/// <param name="TimeColumn">UTC ticks; a row is expired once this is before the cutoff.</param>
/// <param name="KeepsHistory">True: kept for <see cref="EmbeddedOptions.RetentionDays"/>; false: the column is an expiry, removed once passed.</param>
/// <param name="Removed">Told how many rows went, after they are committed (for counters).</param>
/// <param name="Companion">A table keyed by the same <c>seq</c> whose rows go with them.</param>
public sealed record ExpiringTable(string Table, string TimeColumn, bool KeepsHistory, Action<long>? Removed = null, string? Companion = null);

/// <summary>
/// Removes what has expired, like DynamoDB's TTL: history (signals, decisions) after
/// <see cref="EmbeddedOptions.RetentionDays"/>, dedupe claims and cooldowns once they lapse, timeframe state not
/// updated within the retention. Each step removes at most <see cref="EmbeddedOptions.RetentionBatch"/> rows in one
/// write of its own, so requests queued meanwhile are committed between steps, never behind a long delete.
/// </summary>
/// <remarks>
/// Tables in arrival order are trimmed from their oldest end: the first rows by <c>seq</c>, up to the first that has
/// not expired, so no index on time is needed. A row stored late with an old time waits for its neighbours.
/// </remarks>
public sealed partial class EmbeddedRetention(
    EmbeddedDatabase database,
    IEnumerable<ExpiringTable> tables,
    TimeProvider time,
    IOptions<EmbeddedOptions> options,
    ILogger<EmbeddedRetention> logger) : BackgroundService
{
    /// <summary>Tables whose rows are not in arrival order: trimmed by a scan of the (small) table for expired rows.</summary>
    private static readonly (ExpiringTable Table, string Key)[] KeyedTables =
    [
        (new("timeframe_state", "updated_at", KeepsHistory: true), "symbol, seconds"),
        (new("cooldowns", "expires_at", KeepsHistory: false), "symbol"),
    ];

    private readonly ExpiringTable[] _tables = [.. tables];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.RetentionIntervalSeconds), time);
        try
        {
            do
            {
                try
                {
                    var removed = await RemoveExpiredAsync(stoppingToken);
                    if (removed > 0)
                    {
                        LogRemoved(logger, removed);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Removes every expired row, a batch per write.</summary>
    /// <returns>How many rows were removed.</returns>
    public async Task<long> RemoveExpiredAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var retention = TimeSpan.FromDays(options.Value.RetentionDays);
        var batch = options.Value.RetentionBatch;
        long total = 0;
        foreach (var table in _tables)
        {
            var cutoff = (table.KeepsHistory ? now - retention : now).UtcTicks;
            int removed;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                removed = await database.WriteAsync(
                    (table, cutoff, batch),
                    static (c, s) => TrimOldestEnd(c, s.table, s.cutoff, s.batch));
                table.Removed?.Invoke(removed);
                total += removed;
            }
            while (removed == batch);
        }

        foreach (var (table, key) in KeyedTables)
        {
            var cutoff = (table.KeepsHistory ? now - retention : now).UtcTicks;
            int removed;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                removed = await database.WriteAsync(
                    (table, key, cutoff, batch),
                    static (c, s) => c.Statement(KeyedDeleteSql(s.table, s.key))
                        .Set("$cutoff", s.cutoff)
                        .Set("$batch", s.batch)
                        .ExecuteNonQuery());
                total += removed;
            }
            while (removed == batch);
        }

        return total;
    }

    private static int TrimOldestEnd(EmbeddedConnection connection, ExpiringTable table, long cutoff, int batch)
    {
        long? last = null;
        using (var reader = connection.Statement(OldestSql(table)).Set("$batch", batch).ExecuteReader())
        {
            while (reader.Read() && reader.GetInt64(1) < cutoff)
            {
                last = reader.GetInt64(0);
            }
        }

        if (last is not { } upTo)
        {
            return 0;
        }

        if (table.Companion is { } companion)
        {
            connection.Statement($"DELETE FROM {companion} WHERE seq <= $up_to").Set("$up_to", upTo).ExecuteNonQuery();
        }

        return connection.Statement(DeleteUpToSql(table)).Set("$up_to", upTo).ExecuteNonQuery();
    }

    private static string OldestSql(ExpiringTable t) => $"SELECT seq, {t.TimeColumn} FROM {t.Table} ORDER BY seq LIMIT $batch";

    private static string DeleteUpToSql(ExpiringTable t) => $"DELETE FROM {t.Table} WHERE seq <= $up_to";

    private static string KeyedDeleteSql(ExpiringTable t, string key) =>
        $"DELETE FROM {t.Table} WHERE ({key}) IN (SELECT {key} FROM {t.Table} WHERE {t.TimeColumn} < $cutoff LIMIT $batch)";

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Count} expired rows from the embedded database")]
    private static partial void LogRemoved(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention of the embedded database failed; the next run retries")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
