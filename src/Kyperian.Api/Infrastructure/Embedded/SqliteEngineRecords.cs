using System.Text.Json;
using Kyperian.Domain.Audit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>Every version of the run-time engine settings (<c>engine_settings</c>); a version is added only after the one before it.</summary>
public sealed class SqliteEngineSettingsStore(EmbeddedDatabase database) : IEngineSettingsStore
{
    private const string LatestSql = "SELECT version, changed_at, fields, body FROM engine_settings ORDER BY version DESC LIMIT 1";

    private const string AddSql = """
        INSERT INTO engine_settings (version, changed_at, fields, body)
        SELECT $version, $changed_at, $fields, $body
        WHERE coalesce((SELECT max(version) FROM engine_settings), 0) = $version - 1
        """;

    public Task<StoredEngineSettings?> GetLatestAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(0, static (c, _) =>
        {
            using var reader = c.Statement(LatestSql).ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            var overrides = JsonSerializer.Deserialize(reader.GetString(3), EmbeddedJsonContext.Default.EngineSettings)
                ?? throw new InvalidDataException("Stored engine settings are empty.");
            overrides.Version = reader.GetInt64(0);
            var fields = reader.GetString(2).Split(',', StringSplitOptions.RemoveEmptyEntries);
            return new StoredEngineSettings(overrides, fields, reader.GetTime(1));
        }, cancellationToken);

    public Task<bool> TryAddAsync(StoredEngineSettings settings, CancellationToken cancellationToken) =>
        database.WriteAsync(settings, static (c, s) => c.Statement(AddSql)
            .Set("$version", s.Version)
            .Set("$changed_at", s.ChangedAt)
            .Set("$fields", string.Join(',', s.Fields))
            .Set("$body", JsonSerializer.Serialize(s.Overrides, EmbeddedJsonContext.Default.EngineSettings))
            .ExecuteNonQuery() == 1, isolated: false);
}

/// <summary>The operator audit log (<c>audit_log</c>), committed before the operator's request is answered.</summary>
public sealed class SqliteAuditLog(EmbeddedDatabase database) : IAuditLog
{
    private const string AppendSql = """
        INSERT INTO audit_log (entry_id, at, body) VALUES ($id, $at, $body) ON CONFLICT (entry_id) DO NOTHING
        """;

    private const string ListSql = "SELECT body FROM audit_log ORDER BY at DESC, seq DESC LIMIT $limit";

    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        database.WriteAsync(entry, static (c, e) => c.Statement(AppendSql)
            .Set("$id", e.EntryId)
            .Set("$at", e.At)
            .Set("$body", JsonSerializer.Serialize(e, EmbeddedJsonContext.Default.AuditEntry))
            .ExecuteNonQuery(), isolated: false);

    public Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, CancellationToken cancellationToken) =>
        database.ReadAsync(limit, static (c, l) => SqlitePositionBook.ReadAll(c.Statement(ListSql).Set("$limit", l), EmbeddedJsonContext.Default.AuditEntry), cancellationToken);
}

/// <summary>Risk events (<c>risk_events</c>), each id once.</summary>
public sealed class SqliteRiskEventLog(EmbeddedDatabase database) : IRiskEventLog
{
    private const string AddSql = """
        INSERT INTO risk_events (event_id, at, body) VALUES ($id, $at, $body) ON CONFLICT (event_id) DO NOTHING
        """;

    private const string ListSql = "SELECT body FROM risk_events ORDER BY at DESC, seq DESC LIMIT $limit";

    public Task<bool> TryAddAsync(RiskEvent riskEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(riskEvent, static (c, e) => c.Statement(AddSql)
            .Set("$id", e.EventId)
            .Set("$at", e.At)
            .Set("$body", JsonSerializer.Serialize(e, EmbeddedJsonContext.Default.RiskEvent))
            .ExecuteNonQuery() == 1, isolated: false);

    public Task<IReadOnlyList<RiskEvent>> ListAsync(int limit, CancellationToken cancellationToken) =>
        database.ReadAsync(limit, static (c, l) => SqlitePositionBook.ReadAll(c.Statement(ListSql).Set("$limit", l), EmbeddedJsonContext.Default.RiskEvent), cancellationToken);
}
