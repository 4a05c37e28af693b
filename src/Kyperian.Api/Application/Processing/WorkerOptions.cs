namespace Kyperian.Api.Application.Processing;

/// <summary>How the engine worker runs (not what it decides: that is <c>Kyperian:Engine</c>).</summary>
public sealed class WorkerOptions
{
    public const string Section = "Kyperian:Worker";

    /// <summary>
    /// Signals decided at once; signals of one symbol are always decided one at a time. Far more than the cores: a
    /// decision spends most of its time waiting for its store (a commit of the embedded writer, a round trip to DynamoDB
    /// or Redis), and with few in flight a short stall of the store leaves a queue that drains slowly.
    /// </summary>
    public int Concurrency { get; set; } = 32;

    /// <summary>
    /// Failed deliveries of one signal after which it counts as given up and <c>system.deadletter</c> is raised: SQS
    /// moves it to the dead-letter queue then (the template's maxReceiveCount); the embedded bus keeps trying.
    /// </summary>
    public int DeadLetterAfterAttempts { get; set; } = 5;

    /// <summary>A stored signal still Pending after this long is republished by the sweeper.</summary>
    public int RepublishAfterSeconds { get; set; } = 10;

    public int SweepIntervalSeconds { get; set; } = 5;
}
