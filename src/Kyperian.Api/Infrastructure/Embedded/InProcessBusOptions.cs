namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>The in-process bus of the embedded mode, bound from <c>Kyperian:Embedded:Bus</c>.</summary>
public sealed class InProcessBusOptions
{
    public const string Section = "Kyperian:Embedded:Bus";

    /// <summary>Capacity of the channel; a full bus pushes back on the webhook instead of growing.</summary>
    public int ChannelCapacity { get; set; } = 10_000;

    /// <summary>How long the webhook waits for room on a full bus before leaving the signal Pending.</summary>
    public int PublishTimeoutMs { get; set; } = 250;

    /// <summary>Deliveries of one signal after which the bus reports it (SQS uses its redrive policy).</summary>
    public int MaxDeliveryAttempts { get; set; } = 5;
}
