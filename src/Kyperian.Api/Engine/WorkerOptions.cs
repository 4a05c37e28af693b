namespace Kyperian.Api.Engine;

/// <summary>How the engine worker runs (not what it decides: that is <c>Kyperian:Engine</c>).</summary>
public sealed class WorkerOptions
{
    public const string Section = "Kyperian:Worker";

    /// <summary>Signals decided at once; signals of one symbol are always decided one at a time.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>Capacity of the in-process bus; a full bus pushes back on the webhook instead of growing.</summary>
    public int ChannelCapacity { get; set; } = 10_000;

    /// <summary>How long the webhook waits for room on a full in-process bus before leaving the signal Pending.</summary>
    public int PublishTimeoutMs { get; set; } = 250;

    /// <summary>Deliveries of one signal before the in-process bus gives up on it (SQS uses its redrive policy).</summary>
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>A stored signal still Pending after this long is republished by the sweeper.</summary>
    public int RepublishAfterSeconds { get; set; } = 10;

    public int SweepIntervalSeconds { get; set; } = 5;
}
