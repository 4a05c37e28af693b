using System.Collections.Frozen;

namespace Kyperian.Domain.Decisions;

/// <summary>
/// Run-time changes on top of the configured settings. A change names the fields it sets (by their JSON names);
/// fields it does not name keep their earlier run-time value, or else the configured one, so a configuration change
/// still reaches every field nobody set at run time.
/// </summary>
public static class EngineSettingsOverlay
{
    private static readonly FrozenDictionary<string, Action<EngineSettings, EngineSettings>> Copiers =
        new Dictionary<string, Action<EngineSettings, EngineSettings>>(StringComparer.Ordinal)
        {
            ["staleBars"] = static (from, to) => to.StaleBars = from.StaleBars,
            ["minConfidence"] = static (from, to) => to.MinConfidence = from.MinConfidence,
            ["defaultConfidence"] = static (from, to) => to.DefaultConfidence = from.DefaultConfidence,
            ["minScore"] = static (from, to) => to.MinScore = from.MinScore,
            ["minLiveTimeframes"] = static (from, to) => to.MinLiveTimeframes = from.MinLiveTimeframes,
            ["requireHigherTimeframe"] = static (from, to) => to.RequireHigherTimeframe = from.RequireHigherTimeframe,
            ["htfConflictMinConfidence"] = static (from, to) => to.HtfConflictMinConfidence = from.HtfConflictMinConfidence,
            ["cooldownSeconds"] = static (from, to) => to.CooldownSeconds = from.CooldownSeconds,
            ["settleMilliseconds"] = static (from, to) => to.SettleMilliseconds = from.SettleMilliseconds,
            ["barCloseToleranceSeconds"] = static (from, to) => to.BarCloseToleranceSeconds = from.BarCloseToleranceSeconds,
            ["maxDailyLossPct"] = static (from, to) => to.MaxDailyLossPct = from.MaxDailyLossPct,
            ["warnDailyLossPct"] = static (from, to) => to.WarnDailyLossPct = from.WarnDailyLossPct,
            ["maxTotalLossPct"] = static (from, to) => to.MaxTotalLossPct = from.MaxTotalLossPct,
            ["warnTotalLossPct"] = static (from, to) => to.WarnTotalLossPct = from.WarnTotalLossPct,
            ["totalLossBasis"] = static (from, to) => to.TotalLossBasis = from.TotalLossBasis,
            ["riskDayStartUtc"] = static (from, to) => to.RiskDayStartUtc = from.RiskDayStartUtc,
            ["pnlSource"] = static (from, to) => to.PnlSource = from.PnlSource,
            ["riskPerTradePct"] = static (from, to) => to.RiskPerTradePct = from.RiskPerTradePct,
            ["maxPositionPct"] = static (from, to) => to.MaxPositionPct = from.MaxPositionPct,
            ["maxEntriesPerDay"] = static (from, to) => to.MaxEntriesPerDay = from.MaxEntriesPerDay,
            ["tradingWindowStartUtc"] = static (from, to) => to.TradingWindowStartUtc = from.TradingWindowStartUtc,
            ["tradingWindowEndUtc"] = static (from, to) => to.TradingWindowEndUtc = from.TradingWindowEndUtc,
            ["tradingDays"] = static (from, to) => to.TradingDays = [.. from.TradingDays],
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The JSON names of every field that can be set at run time (all but <c>version</c>).</summary>
    public static IReadOnlyCollection<string> Fields => Copiers.Keys;

    public static bool IsField(string name) => Copiers.ContainsKey(name);

    /// <summary>The settings in effect: <paramref name="configured"/> with the stored run-time fields on top.</summary>
    public static EngineSettings Effective(EngineSettings configured, StoredEngineSettings? stored)
    {
        var effective = configured.Copy();
        if (stored is null)
        {
            return effective;
        }

        foreach (var field in stored.Fields)
        {
            if (Copiers.TryGetValue(field, out var copy))
            {
                copy(stored.Overrides, effective);
            }
        }

        effective.Version = stored.Version;
        return effective;
    }

    /// <summary>
    /// <paramref name="basis"/> with <paramref name="fields"/> of <paramref name="change"/> set on top, keeping its
    /// version: settings to try (a replay's), never stored. Unknown field names are the caller's to refuse first.
    /// </summary>
    public static EngineSettings With(EngineSettings basis, EngineSettings change, IEnumerable<string> fields)
    {
        var settings = basis.Copy();
        foreach (var field in fields)
        {
            Copiers[field](change, settings);
        }

        return settings;
    }

    /// <summary>
    /// The next stored version: <paramref name="current"/>'s fields with <paramref name="fields"/> of
    /// <paramref name="change"/> set on top. Unknown field names are the caller's to refuse first.
    /// </summary>
    public static StoredEngineSettings Next(StoredEngineSettings? current, EngineSettings change, IEnumerable<string> fields, DateTimeOffset at)
    {
        var overrides = current?.Overrides.Copy() ?? new EngineSettings();
        var named = new SortedSet<string>(current?.Fields ?? [], StringComparer.Ordinal);
        foreach (var field in fields)
        {
            Copiers[field](change, overrides);
            named.Add(field);
        }

        overrides.Version = (current?.Version ?? 0) + 1;
        return new StoredEngineSettings(overrides, [.. named], at);
    }
}

/// <summary>
/// A run-time change of the engine settings: the fields an operator set (by their JSON names) and their values,
/// which overlay the configured settings; <see cref="EngineSettings.Version"/> of <see cref="Overrides"/> is the version.
/// </summary>
public sealed record StoredEngineSettings(EngineSettings Overrides, IReadOnlyList<string> Fields, DateTimeOffset ChangedAt)
{
    public long Version => Overrides.Version;
}
