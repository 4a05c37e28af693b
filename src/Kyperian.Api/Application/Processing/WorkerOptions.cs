namespace Kyperian.Api.Application.Processing;

/// <summary>How the engine worker runs (not what it decides: that is <c>Kyperian:Engine</c>).</summary>
public sealed class WorkerOptions
{
    public const string Section = "Kyperian:Worker";

    /// <summary>Signals decided at once; signals of one symbol are always decided one at a time.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>
    /// Failed deliveries of one signal after which it counts as given up and <c>system.deadletter</c> is raised: SQS
    /// moves it to the dead-letter queue then (the template's maxReceiveCount); the embedded bus keeps trying.
    /// </summary>
    public int DeadLetterAfterAttempts { get; set; } = 5;

    /// <summary>A stored signal still Pending after this long is republished by the sweeper.</summary>
    public int RepublishAfterSeconds { get; set; } = 10;

    public int SweepIntervalSeconds { get; set; } = 5;
}
