using System.Text.Json.Serialization;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Decisions;

[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict
{
    [JsonStringEnumMemberName("EXECUTE")]
    Execute,

    [JsonStringEnumMemberName("VETO")]
    Veto,
}

/// <summary>What the decision would do (or would have done, when vetoed).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TradeAction>))]
public enum TradeAction
{
    EnterLong,
    EnterShort,
    Exit,
}

/// <summary>Why an entry was vetoed. Every reason that applies is recorded, in this order.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VetoReason>))]
public enum VetoReason
{
    [JsonStringEnumMemberName("LOW_CONFIDENCE")]
    LowConfidence,

    [JsonStringEnumMemberName("HTF_CONFLICT")]
    HtfConflict,

    [JsonStringEnumMemberName("WEAK_CONFLUENCE")]
    WeakConfluence,

    [JsonStringEnumMemberName("COOLDOWN")]
    Cooldown,

    [JsonStringEnumMemberName("STALE_SIGNAL")]
    StaleSignal,

    [JsonStringEnumMemberName("RISK_LIMIT")]
    RiskLimit,

    [JsonStringEnumMemberName("KILL_SWITCH")]
    KillSwitch,

    [JsonStringEnumMemberName("OUTSIDE_HOURS")]
    OutsideHours,

    [JsonStringEnumMemberName("MAX_DECISIONS")]
    MaxDecisions,
}

/// <summary>How one timeframe counted in a decision.</summary>
public sealed record TimeframeInput(
    Timeframe Timeframe,
    int Direction,
    int Confidence,
    double AgeSeconds,
    double Weight,
    bool Live,
    string SignalId);

public sealed record Decision
{
    public required string DecisionId { get; init; }

    public required string SignalId { get; init; }

    public required Symbol Symbol { get; init; }

    public required Timeframe Timeframe { get; init; }

    public required TradeAction Action { get; init; }

    public required Verdict Verdict { get; init; }

    /// <summary>Confidence-weighted agreement of the live timeframes, in [−1, 1]; positive is bullish.</summary>
    public required double Score { get; init; }

    /// <summary>Share of live weight that points the signal's way, in [0, 1].</summary>
    public required double Alignment { get; init; }

    /// <summary>Recommended position, % of equity; 0 on VETO and on Exit.</summary>
    public required double PositionSizePct { get; init; }

    public required IReadOnlyList<VetoReason> Reasons { get; init; }

    public required IReadOnlyList<TimeframeInput> Inputs { get; init; }

    public required DateTimeOffset DecidedAt { get; init; }

    /// <summary>From the webhook's receipt of the signal to this decision.</summary>
    public required double LatencyMs { get; init; }

    [JsonIgnore]
    public bool IsEntry => Action is not TradeAction.Exit;
}

/// <summary>
/// The code each verdict and veto reason has wherever it leaves the process (JSON, stores, metrics): the one its
/// <see cref="JsonStringEnumMemberNameAttribute"/> names, so there is a single place that spells it.
/// </summary>
public static class WireCodes
{
    public static string Code(this Verdict verdict) => Codes<Verdict>.Of(verdict);

    public static string Code(this VetoReason reason) => Codes<VetoReason>.Of(reason);

    /// <summary>The value whose code is <paramref name="code"/>, or false.</summary>
    public static bool TryParse<TEnum>(string? code, out TEnum value)
        where TEnum : struct, Enum => Codes<TEnum>.TryParse(code, out value);

    private static class Codes<TEnum>
        where TEnum : struct, Enum
    {
        private static readonly Dictionary<TEnum, string> ToCode = [];
        private static readonly Dictionary<string, TEnum> FromCode = new(StringComparer.Ordinal);

        static Codes()
        {
            foreach (var field in typeof(TEnum).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            {
                var value = (TEnum)field.GetValue(null)!;
                var code = field.GetCustomAttributes(typeof(JsonStringEnumMemberNameAttribute), inherit: false)
                    .OfType<JsonStringEnumMemberNameAttribute>().FirstOrDefault()?.Name ?? field.Name;
                ToCode[value] = code;
                FromCode[code] = value;
            }
        }

        public static string Of(TEnum value) => ToCode.TryGetValue(value, out var code) ? code : value.ToString();

        public static bool TryParse(string? code, out TEnum value) => FromCode.TryGetValue(code ?? string.Empty, out value);
    }
}
