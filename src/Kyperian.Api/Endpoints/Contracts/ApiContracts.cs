using System.Text.Json;
using System.Text.Json.Serialization;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Risk;
using Kyperian.Domain.Signals;

namespace Kyperian.Api.Endpoints.Contracts;

public static class SignalStatus
{
    public const string Accepted = "accepted";
    public const string Duplicate = "duplicate";
}

public sealed record WebhookAccepted(string SignalId, string Status, DateTimeOffset ReceivedAt);

public sealed record WebhookDuplicate(string SignalId, string Status);

public sealed record ValidationReport(
    bool Valid,
    IReadOnlyList<FieldError> Errors,
    IReadOnlyList<string> Warnings,
    Signal? Signal,
    double ElapsedMicroseconds,
    RecognisedFormat? Format,
    IReadOnlyList<FieldMappingView> Mappings,
    IReadOnlyList<FieldHintView> Hints);

/// <summary>The format /validate recognised: its <c>?format=</c> name and what traders call it.</summary>
public sealed record RecognisedFormat(string Name, string Title);

/// <summary>How one part of the message was read: <c>from</c> → <c>field</c> (null when it passed through), and why not, when not.</summary>
public sealed record FieldMappingView(string From, string? Field, string? Note);

public sealed record FieldHintView(string Field, string Hint);

/// <summary>One check; <c>ms</c> and <c>detail</c> only for operators.</summary>
public sealed record HealthCheckView(string Status, double? Ms, string? Detail);

/// <summary>The health report; <c>role</c> and <c>version</c> only for operators.</summary>
public sealed record HealthView(string Status, string? Role, string? Version, IReadOnlyDictionary<string, HealthCheckView> Checks);

/// <summary>Realised profit or loss of a closed trade, % of equity (a loss is negative).</summary>
public sealed record PnlReport(double? PnlPct, string? Note);

public sealed record HaltRequest(string? Reason);

/// <summary>
/// One delivery of one event to one destination, as operators see it: its destination by name, never its address;
/// the error in words without secrets.
/// </summary>
public sealed record NotificationView(
    string Id,
    string EventId,
    string Type,
    string Destination,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastAttemptAt,
    string? LastError,
    DateTimeOffset? SentAt)
{
    public static NotificationView From(OutboxDelivery delivery) => new(
        delivery.DeliveryId,
        delivery.EventId,
        delivery.EventType,
        delivery.Destination,
        StatusName(delivery.Status),
        delivery.Attempts,
        delivery.CreatedAt,
        delivery.Status == DeliveryStatus.Pending ? delivery.NextAttemptAt : null,
        delivery.LastAttemptAt,
        delivery.LastError,
        delivery.SentAt);

    public static string StatusName(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Pending => "pending",
        DeliveryStatus.Sent => "sent",
        _ => "failed",
    };
}

public sealed record RiskView(
    DateOnly Day,
    double RealizedPnlTodayPct,
    double DailyLossPct,
    double CumulativePnlPct,
    double DrawdownPct,
    int EntriesToday,
    bool Halted,
    string? HaltReason,
    double MaxDailyLossPct,
    double MaxTotalLossPct)
{
    public static RiskView From(RiskState state, EngineSettings settings) => new(
        state.Day,
        state.RealizedPnlTodayPct,
        state.DailyLossPct,
        state.CumulativePnlPct,
        state.DrawdownPct,
        state.EntriesToday,
        state.Halted,
        state.HaltReason,
        settings.MaxDailyLossPct,
        settings.MaxTotalLossPct);
}

/// <summary>The alert body TradingView sends, as documented in Swagger. The endpoint reads it by hand.</summary>
public sealed record TradingViewAlert(
    string Symbol,
    string Action,
    string Timeframe,
    decimal Price,
    int? Confidence,
    string? Source,
    string? Passphrase,
    string? Id,
    string? Time,
    string? Exchange,
    decimal? Quantity,
    decimal? StopLoss,
    decimal? TakeProfit,
    string? Comment);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WebhookAccepted))]
[JsonSerializable(typeof(WebhookDuplicate))]
[JsonSerializable(typeof(ValidationReport))]
[JsonSerializable(typeof(HealthView))]
[JsonSerializable(typeof(PnlReport))]
[JsonSerializable(typeof(HaltRequest))]
[JsonSerializable(typeof(RiskView))]
[JsonSerializable(typeof(NotificationView))]
[JsonSerializable(typeof(IReadOnlyList<NotificationView>))]
[JsonSerializable(typeof(Signal))]
[JsonSerializable(typeof(IReadOnlyList<Signal>))]
[JsonSerializable(typeof(Decision))]
[JsonSerializable(typeof(IReadOnlyList<Decision>))]
[JsonSerializable(typeof(TradingViewAlert))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
