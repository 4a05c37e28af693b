using System.Text.Json.Serialization;

namespace Kyperian.Domain.Audit;

[JsonConverter(typeof(JsonStringEnumConverter<AuditKind>))]
public enum AuditKind
{
    [JsonStringEnumMemberName("halt")]
    Halt,

    [JsonStringEnumMemberName("resume")]
    Resume,

    [JsonStringEnumMemberName("pnlReport")]
    PnlReport,

    [JsonStringEnumMemberName("settingsChange")]
    SettingsChange,
}

/// <summary>One operator action that changed how the engine decides, as it was taken. Never holds a secret.</summary>
public sealed record AuditEntry
{
    /// <summary>Sortable by time: <c>aud_</c>, the UTC instant, and a random suffix.</summary>
    public required string EntryId { get; init; }

    public required AuditKind Kind { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>One plain sentence.</summary>
    public required string Text { get; init; }

    /// <summary>The halt reason, or the P&amp;L report's note.</summary>
    public string? Note { get; init; }

    public double? PnlPct { get; init; }

    /// <summary>The settings version a change created.</summary>
    public long? SettingsVersion { get; init; }

    /// <summary>The settings fields a change set.</summary>
    public IReadOnlyList<string>? Fields { get; init; }

    public static string NewId(DateTimeOffset at) =>
        $"aud_{at.UtcDateTime:yyyyMMdd'T'HHmmssfffffff}_{Guid.NewGuid():N}"[..44];
}
