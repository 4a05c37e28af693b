using System.Text.Json.Serialization;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Signals;

namespace Kyperian.Domain.Decisions;

/// <summary>EXECUTE or VETO; its code is <see cref="DecisionCodes"/>'s.</summary>
[JsonConverter(typeof(VerdictJsonConverter))]
public enum Verdict
{
    Execute,
    Veto,
}

/// <summary>What the decision does to the symbol's model position (or would have done, when vetoed).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TradeAction>))]
public enum TradeAction
{
    EnterLong,
    EnterShort,
    Exit,

    /// <summary>Closes the open position and opens the other way, in one decision.</summary>
    Reverse,
}

/// <summary>
/// Why a decision was vetoed. Every reason that applies is recorded, in this order; its code is
/// <see cref="DecisionCodes"/>'s.
/// </summary>
[JsonConverter(typeof(VetoReasonJsonConverter))]
public enum VetoReason
{
    LowConfidence,
    HtfConflict,
    WeakConfluence,
    Cooldown,
    StaleSignal,
    RiskLimit,
    KillSwitch,
    OutsideHours,
    MaxDecisions,
    TooFewTimeframes,
    NoHigherTimeframe,
    AlreadyInPosition,
    NoPosition,
}

/// <summary>How one timeframe counted in a decision. <paramref name="Confidence"/> is the one the engine used.</summary>
public sealed record TimeframeInput(
    Timeframe Timeframe,
    int Direction,
    int Confidence,
    double AgeSeconds,
    double Weight,
    bool Live,
    string SignalId);

/// <summary>One veto reason in words, with the numbers behind it where they apply.</summary>
public sealed record Explanation
{
    public required VetoReason Code { get; init; }

    /// <summary>One plain sentence.</summary>
    public required string Text { get; init; }

    /// <summary>The timeframe the reason is about (the conflicting one, the stale one).</summary>
    public Timeframe? Timeframe { get; init; }

    /// <summary>The setting the decision was held against.</summary>
    public double? Threshold { get; init; }

    /// <summary>What the engine saw, in the threshold's unit.</summary>
    public double? Observed { get; init; }

    /// <summary>Until the reason lapses by itself (cooldown, the next trading day, the trading window).</summary>
    public long? RemainingSeconds { get; init; }
}

public sealed record Decision
{
    public required string DecisionId { get; init; }

    /// <summary>The signal the decision acts on: alone, or the trigger of a bar-close burst.</summary>
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

    /// <summary>The <see cref="Reasons"/> in words, one per reason, in the same order.</summary>
    public IReadOnlyList<Explanation> Explanations { get; init; } = [];

    public required IReadOnlyList<TimeframeInput> Inputs { get; init; }

    /// <summary>Every signal decided here, in arrival order: the signal alone, or each member of its burst.</summary>
    public IReadOnlyList<string> MemberSignalIds { get; init; } = [];

    /// <summary>The price the signal carried: the entry or exit price of the model position.</summary>
    public decimal? Price { get; init; }

    /// <summary>The confidence the engine used: the signal's, or <c>DefaultConfidence</c> when it sent none.</summary>
    public int? Confidence { get; init; }

    public Position? PositionBefore { get; init; }

    /// <summary>The same as <see cref="PositionBefore"/> on VETO.</summary>
    public Position? PositionAfter { get; init; }

    /// <summary>The trade an executed Exit or Reverse closed.</summary>
    public ClosedTrade? ClosedTrade { get; init; }

    /// <summary>The version of the engine settings the decision was made with.</summary>
    public long SettingsVersion { get; init; }

    public required DateTimeOffset DecidedAt { get; init; }

    /// <summary>From the webhook's receipt of the signal to this decision.</summary>
    public required double LatencyMs { get; init; }

    /// <summary>Opens a position (Reverse opens one too): counts against the entry limits.</summary>
    [JsonIgnore]
    public bool IsEntry => Action is not TradeAction.Exit;

    /// <summary>Every signal id the decision answers for; a decision stored before bursts existed has only its own.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Members => MemberSignalIds.Count > 0 ? MemberSignalIds : [SignalId];

    /// <summary>What an executed decision did to the position, for the position book; null when nothing moved.</summary>
    [JsonIgnore]
    public PositionChange? PositionChange =>
        Verdict == Verdict.Execute && PositionBefore is { } before && PositionAfter is { } after && !ReferenceEquals(before, after)
            ? new PositionChange(DecisionId, before, after, ClosedTrade)
            : null;
}
