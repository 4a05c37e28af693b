using System.Text.Json;
using System.Text.Json.Serialization;
using Kyperian.Api.Application.Monitoring;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Audit;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Performance;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Positions;
using Kyperian.Domain.Replay;
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

/// <summary>Realised profit or loss, % of the initial balance (a loss is negative), with an optional note for the audit log.</summary>
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

/// <summary>The account's risk as the engine weighs it now. Every % is of the initial balance.</summary>
public sealed record RiskView(
    DateOnly Day,
    DateTimeOffset NextDayStartsAt,
    double RealizedPnlTodayPct,
    double DailyLossPct,
    double WorstDailyLossPct,
    bool DailyLimitReached,
    double CumulativePnlPct,
    double DrawdownPct,
    double TotalLossPct,
    TotalLossBasis TotalLossBasis,
    bool TotalLimitReached,
    int EntriesToday,
    bool Halted,
    string? HaltReason,
    double MaxDailyLossPct,
    double WarnDailyLossPct,
    double MaxTotalLossPct,
    double WarnTotalLossPct,
    PnlSource PnlSource)
{
    public static RiskView From(RiskState state, EngineSettings settings, DateTimeOffset now)
    {
        var totalLoss = state.TotalLossPct(settings.TotalLossBasis);
        return new(
            state.Day,
            TradingDay.NextStart(now, settings.RiskDayStartUtc),
            state.RealizedPnlTodayPct,
            state.DailyLossPct,
            state.WorstDailyLossPct,
            state.DailyLimitReached(settings.MaxDailyLossPct),
            state.CumulativePnlPct,
            state.DrawdownPct,
            totalLoss,
            settings.TotalLossBasis,
            totalLoss >= settings.MaxTotalLossPct,
            state.EntriesToday,
            state.Halted,
            state.HaltReason,
            settings.MaxDailyLossPct,
            settings.WarnDailyLossPct,
            settings.MaxTotalLossPct,
            settings.WarnTotalLossPct,
            settings.PnlSource);
    }
}

/// <summary>A page of <c>GET /decisions</c>; <c>next</c> is the cursor of the following page, null on the last.</summary>
public sealed record DecisionListView(IReadOnlyList<Decision> Decisions, string? Next);

/// <summary>A page of <c>GET /decisions?view=summary</c>: each decision in one line.</summary>
public sealed record DecisionSummaryListView(IReadOnlyList<DecisionSummary> Decisions, string? Next);

/// <summary>Every symbol with state, as of <c>asOf</c>.</summary>
public sealed record SymbolsView(DateTimeOffset AsOf, IReadOnlyList<SymbolView> Symbols);

/// <summary>The first event of <c>GET /events</c>: <c>stream</c> (events as they happen) or <c>snapshot</c> (ask again after retry).</summary>
public sealed record EventsReady(string Mode);

/// <summary>
/// What the console page needs to know before it asks for anything, never a secret: whether a key is required (not in
/// Development without one: then everything is open), the environment and role, how events flow, and whether this
/// build serves GET /positions and GET /notifications.
/// </summary>
public sealed record ConsoleInfo(bool KeyRequired, string Environment, string Role, string EventsMode, bool Positions, bool Notifications, bool Performance);

/// <summary>The engine settings in force: the configured ones with the run-time changes (<see cref="ChangedFields"/>) on top.</summary>
public sealed record SettingsView(EngineSettings Engine, long Version, IReadOnlyList<string> ChangedFields, DateTimeOffset? ChangedAt)
{
    public static SettingsView From(EngineSettings effective, StoredEngineSettings? stored) =>
        new(effective, effective.Version, stored?.Fields ?? [], stored?.ChangedAt);
}

/// <summary>A symbol's model position and its latest closed trades.</summary>
public sealed record PositionView(Position Position, IReadOnlyList<ClosedTrade> ClosedTrades);

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

/// <summary>
/// <c>POST /replay</c>, as documented in Swagger (the endpoint reads it by hand, to name every bad field): the stored
/// signals received from <c>from</c> to <c>to</c> (default now), of <c>symbols</c> (default all), or the alerts in
/// <c>signals</c>, each at its own <c>time</c>; <c>settings</c> are engine settings to try instead of those in force.
/// </summary>
public sealed record ReplayRequest(
    DateTimeOffset? From,
    DateTimeOffset? To,
    IReadOnlyList<string>? Symbols,
    EngineSettings? Settings,
    IReadOnlyList<TradingViewAlert>? Signals);

/// <summary>
/// What a replay answers, written as it runs: the settings it used (and which fields were tried instead of those in
/// force), every decision as <c>/decisions</c> shows one, in the order made, then the summary, the differences from
/// the recorded decisions and the performance report.
/// </summary>
public sealed record ReplayAnswer(
    EngineSettings Settings,
    IReadOnlyList<string> Overridden,
    IReadOnlyList<Decision> Decisions,
    ReplaySummary Summary,
    IReadOnlyList<DecisionDifference> Differences,
    PerformanceReport Performance);

/// <summary>The track record of the decisions recorded from <c>from</c> to <c>to</c>, of one symbol or all (<c>symbol</c> absent).</summary>
public sealed record PerformanceAnswer(DateTimeOffset From, DateTimeOffset To, Symbol? Symbol, PerformanceReport Performance);

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(JsonStringEnumConverter<DayOfWeek>)])]
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
[JsonSerializable(typeof(DecisionListView))]
[JsonSerializable(typeof(SymbolsView))]
[JsonSerializable(typeof(SymbolDetail))]
[JsonSerializable(typeof(ActivityView))]
[JsonSerializable(typeof(DecisionSummary))]
[JsonSerializable(typeof(DecisionSummaryListView))]
[JsonSerializable(typeof(HealthSnapshot))]
[JsonSerializable(typeof(EventsReady))]
[JsonSerializable(typeof(ConsoleInfo))]
[JsonSerializable(typeof(IReadOnlyList<RiskEvent>))]
[JsonSerializable(typeof(RiskEvent))]
[JsonSerializable(typeof(EngineSettings))]
[JsonSerializable(typeof(SettingsView))]
[JsonSerializable(typeof(PositionView))]
[JsonSerializable(typeof(IReadOnlyList<Position>))]
[JsonSerializable(typeof(IReadOnlyList<AuditEntry>))]
[JsonSerializable(typeof(ReplayRequest))]
[JsonSerializable(typeof(ReplayAnswer))]
[JsonSerializable(typeof(ReplaySummary))]
[JsonSerializable(typeof(IReadOnlyList<DecisionDifference>))]
[JsonSerializable(typeof(PerformanceReport))]
[JsonSerializable(typeof(PerformanceAnswer))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
