using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kyperian.Domain.Decisions;

/// <summary>
/// The one place where verdicts and veto reasons get the codes they carry in stored decisions, events, metrics and
/// JSON. The JSON converters, the stores and the metrics all read these switches.
/// </summary>
public static class DecisionCodes
{
    private static readonly FrozenDictionary<string, VetoReason> ReasonsByCode =
        Enum.GetValues<VetoReason>().ToFrozenDictionary(Code, StringComparer.Ordinal);

    public static string Code(this Verdict verdict) => verdict switch
    {
        Verdict.Execute => "EXECUTE",
        Verdict.Veto => "VETO",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
    };

    public static string Code(this VetoReason reason) => reason switch
    {
        VetoReason.LowConfidence => "LOW_CONFIDENCE",
        VetoReason.HtfConflict => "HTF_CONFLICT",
        VetoReason.WeakConfluence => "WEAK_CONFLUENCE",
        VetoReason.Cooldown => "COOLDOWN",
        VetoReason.StaleSignal => "STALE_SIGNAL",
        VetoReason.RiskLimit => "RISK_LIMIT",
        VetoReason.KillSwitch => "KILL_SWITCH",
        VetoReason.OutsideHours => "OUTSIDE_HOURS",
        VetoReason.MaxDecisions => "MAX_DECISIONS",
        VetoReason.TooFewTimeframes => "TOO_FEW_TIMEFRAMES",
        VetoReason.NoHigherTimeframe => "NO_HIGHER_TIMEFRAME",
        VetoReason.AlreadyInPosition => "ALREADY_IN_POSITION",
        VetoReason.NoPosition => "NO_POSITION",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    public static bool TryParseVerdict(string? code, out Verdict verdict)
    {
        (var ok, verdict) = code switch
        {
            "EXECUTE" => (true, Verdict.Execute),
            "VETO" => (true, Verdict.Veto),
            _ => (false, default),
        };
        return ok;
    }

    public static bool TryParseReason([NotNullWhen(true)] string? code, out VetoReason reason)
    {
        reason = default;
        return code is not null && ReasonsByCode.TryGetValue(code, out reason);
    }
}

public sealed class VerdictJsonConverter : JsonConverter<Verdict>
{
    public override Verdict Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DecisionCodes.TryParseVerdict(reader.GetString(), out var verdict) ? verdict : throw new JsonException("Not a verdict.");

    public override void Write(Utf8JsonWriter writer, Verdict value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Code());
}

public sealed class VetoReasonJsonConverter : JsonConverter<VetoReason>
{
    public override VetoReason Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DecisionCodes.TryParseReason(reader.GetString(), out var reason) ? reason : throw new JsonException("Not a veto reason.");

    public override void Write(Utf8JsonWriter writer, VetoReason value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Code());
}
