using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kyperian.Domain.Risk;

namespace Kyperian.Api.Application.Notifications;

/// <summary>
/// One thing worth telling the trader, as every destination receives it: a webhook gets it as JSON, a chat gets
/// <see cref="Message"/>. Fields that do not apply to the event are left out.
/// </summary>
public sealed record NotificationEvent
{
    /// <summary>Derived from what happened, never from when it was sent: the same event always has the same id.</summary>
    public required string Id { get; init; }

    public required NotificationEventType Type { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>Short and human, for a phone: the headline and, on a second line, why.</summary>
    public required string Message { get; init; }

    public string? DecisionId { get; init; }

    /// <summary>The signal the decision acts on: alone, or the trigger of a bar-close burst.</summary>
    public string? SignalId { get; init; }

    /// <summary>Every signal of a bar-close burst decided together, in arrival order; absent for a lone signal.</summary>
    public IReadOnlyList<string>? MemberSignalIds { get; init; }

    public string? Symbol { get; init; }

    public string? Exchange { get; init; }

    /// <summary><c>EXECUTE</c> or <c>VETO</c>.</summary>
    public string? Verdict { get; init; }

    /// <summary>The engine's action: <c>EnterLong</c>, <c>EnterShort</c>, <c>Exit</c>, <c>Reverse</c>.</summary>
    public string? Action { get; init; }

    /// <summary>The order side the action takes: <c>buy</c> or <c>sell</c>; absent for an exit of an unknown position.</summary>
    public string? Side { get; init; }

    /// <summary>The action in the words execution bridges use: <c>buy</c>, <c>sell</c>, <c>exit</c>, <c>reverse</c>.</summary>
    public string? OrderAction { get; init; }

    /// <summary>The position after the decision: <c>long</c>, <c>short</c> or <c>flat</c>, when known.</summary>
    public string? Position { get; init; }

    /// <summary>The position before the decision, when known.</summary>
    public string? PreviousPosition { get; init; }

    /// <summary>What an EXECUTE did to the position, in words: <c>Enter long</c>, <c>Reverse to short (long +1.8 %)</c>, <c>Exit long, +1.8 %</c>.</summary>
    public string? Move { get; init; }

    /// <summary>The closed trade's price move in its favour, % of its entry price, for an executed exit or reversal with both prices.</summary>
    public double? ReturnPct { get; init; }

    /// <summary>Recommended position, % of equity.</summary>
    public double? SizePct { get; init; }

    public decimal? Price { get; init; }

    public string? Timeframe { get; init; }

    /// <summary>Confidence-weighted agreement of the timeframes, in [−1, 1].</summary>
    public double? Score { get; init; }

    public double? Alignment { get; init; }

    public int? Confidence { get; init; }

    public decimal? Quantity { get; init; }

    public decimal? StopLoss { get; init; }

    public decimal? TakeProfit { get; init; }

    /// <summary>Veto reason codes (<c>HTF_CONFLICT</c>…).</summary>
    public IReadOnlyList<string>? Reasons { get; init; }

    /// <summary>The reasons in words, one sentence per code, with the numbers behind them.</summary>
    public IReadOnlyList<string>? Explanations { get; init; }

    /// <summary>The event in one line: which timeframes agreed, why it was vetoed, what the risk event is.</summary>
    public string? Explanation { get; init; }

    public RiskNotice? Risk { get; init; }

    public DeadLetterNotice? DeadLetter { get; init; }

    public SilenceNotice? Silence { get; init; }

    /// <summary>The id of an event: <c>evt_</c> and 24 hex digits of SHA-256 over its type and what it is about.</summary>
    public static string IdFor(NotificationEventType type, string subject)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(type.Code() + "|" + subject), hash);
        return "evt_" + Convert.ToHexStringLower(hash[..12]);
    }
}

/// <summary>A risk limit neared or breached, entries halted, or allowed again: the engine's risk event.</summary>
public sealed record RiskNotice
{
    /// <summary>The risk event's own id (<c>GET /risk/events</c>).</summary>
    public required string EventId { get; init; }

    /// <summary><c>dailyLoss</c>, <c>totalLoss</c> or <c>killSwitch</c>.</summary>
    public required RiskLimit Limit { get; init; }

    /// <summary>The trading day it belongs to.</summary>
    public required DateOnly Day { get; init; }

    /// <summary>The loss, % of the initial balance (a loss is positive), for a warning or a breach.</summary>
    public double? ObservedPct { get; init; }

    /// <summary>The level it reached (the warning level or the limit), for a warning or a breach.</summary>
    public double? ThresholdPct { get; init; }
}

/// <summary>A delivery (or a signal) that gave up.</summary>
public sealed record DeadLetterNotice
{
    /// <summary><c>delivery</c> or <c>signal</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The destination that gave up, for a delivery.</summary>
    public string? Destination { get; init; }

    /// <summary>The event or signal that did not get through.</summary>
    public required string SubjectId { get; init; }

    public string? SubjectType { get; init; }

    public int Attempts { get; init; }

    public string? Error { get; init; }
}

/// <summary>No alert arrived for a while.</summary>
public sealed record SilenceNotice
{
    public DateTimeOffset? LastAlertAt { get; init; }

    public required double Hours { get; init; }
}

/// <summary>Writes and reads an event type as its code.</summary>
public sealed class NotificationEventTypeJsonConverter : JsonConverter<NotificationEventType>
{
    public override NotificationEventType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        NotificationEventTypes.TryParse(reader.GetString(), out var type)
            ? type
            : throw new JsonException("Unknown notification event type.");

    public override void Write(Utf8JsonWriter writer, NotificationEventType value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Code());
}

/// <summary>The event's JSON: what webhooks and SNS receive, and what the outbox keeps.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(NotificationEventTypeJsonConverter)])]
[JsonSerializable(typeof(NotificationEvent))]
public sealed partial class NotificationJsonContext : JsonSerializerContext;
