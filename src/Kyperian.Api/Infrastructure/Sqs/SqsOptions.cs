namespace Kyperian.Api.Infrastructure.Sqs;

/// <summary><c>Kyperian:Sqs</c>: the queue an EventBridge rule feeds signals into, read by role <c>engine</c>.</summary>
public sealed class SqsOptions
{
    public const string Section = "Kyperian:Sqs";

    /// <summary>From SSM <c>/sqs/queue-url</c> in AWS. Its redrive policy (maxReceiveCount, DLQ) takes the poison messages.</summary>
    public string? QueueUrl { get; set; }

    public string? ServiceUrl { get; set; }

    public string? Region { get; set; }

    /// <summary>Long poll: a receive waits this long for messages (0–20).</summary>
    public int WaitTimeSeconds { get; set; } = 20;

    /// <summary>Messages asked for per receive (1–10).</summary>
    public int MaxMessages { get; set; } = 10;

    /// <summary>Messages received and not yet completed or abandoned, at most: the feed's bounded concurrency.</summary>
    public int MaxInFlight { get; set; } = 20;

    /// <summary>Visibility asked for at receive, and renewed while the engine still works on a message.</summary>
    public int VisibilityTimeoutSeconds { get; set; } = 30;

    /// <summary>A message held this long is no longer extended: it becomes visible again and is redelivered.</summary>
    public int MaxExtensionSeconds { get; set; } = 900;

    /// <summary>An abandoned message reappears after this many seconds × its receive count (at most 300).</summary>
    public int AbandonDelaySeconds { get; set; } = 2;

    /// <summary>Pause after a failed receive before the next.</summary>
    public int ErrorBackoffMs { get; set; } = 1000;
}
