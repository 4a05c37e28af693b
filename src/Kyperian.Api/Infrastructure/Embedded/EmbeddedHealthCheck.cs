using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>
/// The embedded database: where it is, how big, how long it keeps history, and what the stores hold. Unhealthy when
/// it cannot be read. Reports nothing stored in it beyond counts.
/// </summary>
public sealed class EmbeddedHealthCheck(EmbeddedDatabase database, IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            await database.ReadAsync(0, static (c, _) => c.Statement("SELECT 1").ExecuteScalar(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"embedded SQLite {database.FullPath} cannot be read", ex);
        }

        var latencyMs = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
        var size = await database.SizeBytesAsync();
        var retention = database.Options.RetentionDays;
        var detail = string.Create(
            CultureInfo.InvariantCulture,
            $"embedded SQLite {database.FullPath}: {FormatSize(size)}, retention {retention} days");
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["path"] = database.FullPath,
            ["sizeBytes"] = size,
            ["retentionDays"] = retention,
            ["durability"] = database.Options.Durability.ToString(),
            ["schemaVersion"] = database.SchemaVersion,
            ["writeBacklog"] = database.WriteBacklog,
            ["latencyMs"] = Math.Round(latencyMs, 2),
        };

        if (services.GetService(typeof(SqliteSignalStore)) is SqliteSignalStore signals
            && services.GetService(typeof(SqliteDecisionStore)) is SqliteDecisionStore decisions)
        {
            var signalCount = await signals.CountAsync();
            var decisionCount = await decisions.CountAsync();
            detail += string.Create(CultureInfo.InvariantCulture, $"; {signalCount} signals, {decisionCount} decisions");
            data["signals"] = signalCount;
            data["decisions"] = decisionCount;
        }

        return HealthCheckResult.Healthy(detail, data);
    }

    private static string FormatSize(long bytes) => bytes switch
    {
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB"),
    };
}
