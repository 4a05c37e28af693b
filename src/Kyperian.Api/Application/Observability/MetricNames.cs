namespace Kyperian.Api.Application.Observability;

/// <summary>
/// Every metric the app emits, in one place: the CloudWatch dashboards and alarms of
/// templates/serverless.template use exactly these names (a test holds them to it).
/// </summary>
public static class MetricNames
{
    public const string Namespace = "Kyperian";

    public const string SignalsAccepted = "SignalsAccepted";
    public const string SignalsRejected = "SignalsRejected";
    public const string SignalsDuplicate = "SignalsDuplicate";
    public const string SignalsUnavailable = "SignalsUnavailable";
    public const string ValidationTime = "ValidationTimeMicroseconds";
    public const string Decisions = "Decisions";
    public const string Vetoes = "Vetoes";
    public const string PositionSize = "PositionSizePct";
    public const string EndToEndLatency = "EndToEndLatencyMs";
    public const string NotificationsSent = "NotificationsSent";
    public const string NotificationsDeadLettered = "NotificationsDeadLettered";

    /// <summary>From the event (a decision's time) to its delivery's success.</summary>
    public const string NotificationDelay = "NotificationDelayMs";

    public static class Dimensions
    {
        public const string Environment = "Environment";
        public const string Action = "Action";
        public const string Timeframe = "Timeframe";
        public const string Verdict = "Verdict";
        public const string Reason = "Reason";
        public const string Status = "Status";
        public const string Destination = "Destination";
    }
}
