namespace Kyperian.Api.Infrastructure.Resilience;

/// <summary>
/// How hard one backend is tried: <c>Kyperian:Resilience:{Backend}:*</c>. Each remote call runs as
/// total timeout → retry (jittered exponential backoff, transient errors and throttles only) → circuit breaker → attempt timeout.
/// </summary>
public sealed class BackendResilienceOptions
{
    /// <summary>One attempt's limit.</summary>
    public int AttemptTimeoutMs { get; set; } = 1000;

    /// <summary>All attempts and backoff together.</summary>
    public int TotalTimeoutMs { get; set; } = 2500;

    /// <summary>Retries after the first attempt; 0 disables retrying.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Median first backoff; doubles each retry, with decorrelated jitter.</summary>
    public int BaseDelayMs { get; set; } = 50;

    public int MaxDelayMs { get; set; } = 1000;

    /// <summary>Share of failed calls in the sampling window that opens the circuit.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Calls in the window before the ratio counts.</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    public int BreakerSamplingMs { get; set; } = 10_000;

    /// <summary>How long an open circuit fails calls at once before letting one through.</summary>
    public int BreakerBreakMs { get; set; } = 5_000;

    public BackendResilienceOptions Clone() => (BackendResilienceOptions)MemberwiseClone();
}

/// <summary><c>Kyperian:Resilience</c>: one section per backend.</summary>
public sealed class ResilienceOptions
{
    public const string Section = "Kyperian:Resilience";

    /// <summary>Signals, decisions, risk ledger: on the webhook's path, which TradingView gives 3 s.</summary>
    public BackendResilienceOptions DynamoDb { get; set; } = new()
    {
        AttemptTimeoutMs = 800,
        TotalTimeoutMs = 2000,
        MaxRetries = 2,
        BaseDelayMs = 25,
    };

    /// <summary>Dedupe and market state: fast or not at all, the webhook falls back to the store.</summary>
    public BackendResilienceOptions Redis { get; set; } = new()
    {
        AttemptTimeoutMs = 250,
        TotalTimeoutMs = 600,
        MaxRetries = 1,
        BaseDelayMs = 20,
    };

    public BackendResilienceOptions EventBridge { get; set; } = new()
    {
        AttemptTimeoutMs = 1000,
        TotalTimeoutMs = 2500,
        MaxRetries = 2,
        BaseDelayMs = 50,
    };

    /// <summary>Delete and visibility calls; a receive is a long poll and gets its wait time on top of the attempt limit.</summary>
    public BackendResilienceOptions Sqs { get; set; } = new()
    {
        AttemptTimeoutMs = 2000,
        TotalTimeoutMs = 10_000,
        MaxRetries = 3,
        BaseDelayMs = 100,
        MaxDelayMs = 2000,
    };

    /// <summary>Configuration at start: patient, the process cannot run without it.</summary>
    public BackendResilienceOptions Ssm { get; set; } = new()
    {
        AttemptTimeoutMs = 5000,
        TotalTimeoutMs = 30_000,
        MaxRetries = 4,
        BaseDelayMs = 200,
        MaxDelayMs = 5000,
    };

    public BackendResilienceOptions For(Backend backend) => backend switch
    {
        Backend.DynamoDb => DynamoDb,
        Backend.Redis => Redis,
        Backend.EventBridge => EventBridge,
        Backend.Sqs => Sqs,
        Backend.SqsReceive => LongPoll(Sqs),
        Backend.Ssm => Ssm,
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "Unknown backend."),
    };

    /// <summary>A receive waits up to 20 s for messages by design: that wait is not a slow attempt.</summary>
    private static BackendResilienceOptions LongPoll(BackendResilienceOptions sqs)
    {
        var poll = sqs.Clone();
        poll.AttemptTimeoutMs = sqs.AttemptTimeoutMs + (SqsLongPollSeconds * 1000);
        poll.TotalTimeoutMs = poll.AttemptTimeoutMs + sqs.TotalTimeoutMs;
        return poll;
    }

    /// <summary>The longest wait SQS allows a receive.</summary>
    public const int SqsLongPollSeconds = 20;
}

/// <summary>The remote backends, one resilience pipeline (retry, timeout, circuit) each.</summary>
public enum Backend
{
    DynamoDb,
    Redis,
    EventBridge,
    Sqs,

    /// <summary>SQS long polls: their 20 s wait is by design, so they get longer timeouts than other SQS calls.</summary>
    SqsReceive,
    Ssm,
}
