using Kyperian.Domain.Audit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Settings;

/// <summary>
/// The engine settings in force: the configured ones (<c>Kyperian:Engine</c>, through <see cref="IOptionsMonitor{T}"/>)
/// with the fields changed at run time (<c>PUT /settings/engine</c>, stored and versioned) on top. A change made in this
/// process applies to the next decision; one made by another process (the API role on Lambda) within
/// <see cref="RefreshInterval"/>.
/// </summary>
public sealed partial class EngineSettingsSource(
    IOptionsMonitor<EngineSettings> configured,
    IEngineSettingsStore store,
    IAuditLog audit,
    TimeProvider time,
    ILogger<EngineSettingsSource> logger)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private volatile Snapshot? _snapshot;

    /// <summary>The settings for the next decision. Each call may return a new instance; never change the one returned.</summary>
    public async ValueTask<EngineSettings> CurrentAsync(CancellationToken cancellationToken) =>
        (await SnapshotAsync(cancellationToken)).Effective;

    /// <summary>The settings in force and which fields were changed at run time, when, in which version.</summary>
    public async ValueTask<(EngineSettings Effective, StoredEngineSettings? Stored)> DescribeAsync(CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(cancellationToken);
        return (snapshot.Effective, snapshot.Stored);
    }

    /// <summary>
    /// Sets <paramref name="fields"/> to their values in <paramref name="change"/>, validated together with every
    /// other setting in force, as the next version; stores it and records it in the audit log.
    /// </summary>
    public async Task<SettingsChange> ChangeAsync(EngineSettings change, IReadOnlyCollection<string> fields, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var current = await store.GetLatestAsync(cancellationToken);
        var next = EngineSettingsOverlay.Next(current, change, fields, now);
        var effective = EngineSettingsOverlay.Effective(configured.CurrentValue, next);
        if (effective.Validate() is { Count: > 0 } errors)
        {
            return new SettingsChange.Invalid(errors);
        }

        if (!await store.TryAddAsync(next, cancellationToken))
        {
            return new SettingsChange.Conflict();
        }

        _snapshot = new Snapshot(configured.CurrentValue, next, effective, now);
        var named = fields.Order(StringComparer.Ordinal).ToArray();
        await audit.AppendAsync(
            new AuditEntry
            {
                EntryId = AuditEntry.NewId(now),
                Kind = AuditKind.SettingsChange,
                At = now,
                Text = $"Engine settings version {next.Version}: {string.Join(", ", named)} set.",
                SettingsVersion = next.Version,
                Fields = named,
            },
            cancellationToken);
        LogChanged(logger, next.Version, string.Join(", ", named));
        return new SettingsChange.Changed(effective, next);
    }

    /// <summary>
    /// The settings in force with <paramref name="fields"/> of <paramref name="change"/> on top, validated together
    /// as a change is, for a replay to try; nothing is stored, versioned or audited.
    /// </summary>
    /// <returns>The settings to try (with the version in force), or every bad value, named.</returns>
    public async Task<(EngineSettings? Settings, IReadOnlyList<SettingError> Errors)> TryOnAsync(
        EngineSettings change, IReadOnlyCollection<string> fields, CancellationToken cancellationToken)
    {
        var trial = EngineSettingsOverlay.With(await CurrentAsync(cancellationToken), change, fields);
        return trial.Validate() is { Count: > 0 } errors ? (null, errors) : (trial, []);
    }

    private async ValueTask<Snapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        var now = time.GetUtcNow();
        var config = configured.CurrentValue;
        if (snapshot is not null && now - snapshot.ReadAt < RefreshInterval && ReferenceEquals(snapshot.Configured, config))
        {
            return snapshot;
        }

        var stored = snapshot is not null && now - snapshot.ReadAt < RefreshInterval
            ? snapshot.Stored
            : await store.GetLatestAsync(cancellationToken);
        snapshot = new Snapshot(config, stored, EngineSettingsOverlay.Effective(config, stored), now);
        _snapshot = snapshot;
        return snapshot;
    }

    private sealed record Snapshot(EngineSettings Configured, StoredEngineSettings? Stored, EngineSettings Effective, DateTimeOffset ReadAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine settings version {Version}: {Fields} set at run time")]
    private static partial void LogChanged(ILogger logger, long version, string fields);
}

/// <summary>The outcome of <see cref="EngineSettingsSource.ChangeAsync"/>.</summary>
public abstract record SettingsChange
{
    private SettingsChange()
    {
    }

    public sealed record Changed(EngineSettings Effective, StoredEngineSettings Stored) : SettingsChange;

    /// <summary>Every bad value, named; nothing was stored.</summary>
    public sealed record Invalid(IReadOnlyList<SettingError> Errors) : SettingsChange;

    /// <summary>Another change took the next version first; nothing was stored.</summary>
    public sealed record Conflict : SettingsChange;
}
