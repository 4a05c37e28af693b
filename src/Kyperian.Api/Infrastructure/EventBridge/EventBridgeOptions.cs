namespace Kyperian.Api.Infrastructure.EventBridge;

/// <summary><c>Kyperian:EventBridge</c>: where signals and decisions are published.</summary>
public sealed class EventBridgeOptions
{
    public const string Section = "Kyperian:EventBridge";

    /// <summary><c>kyperian-{env}</c>; from SSM <c>/events/bus-name</c> in AWS.</summary>
    public string BusName { get; set; } = "kyperian-local";

    /// <summary>Empty: <c>https://events.{region}.amazonaws.com</c>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Empty: AWS_REGION.</summary>
    public string? Region { get; set; }

    /// <summary>Rounds of resending the entries a 200 answer reported as InternalFailure or ThrottlingException.</summary>
    public int EntryRetries { get; set; } = 3;

    /// <summary>First pause before resending failed entries; doubles each round, jittered.</summary>
    public int EntryRetryDelayMs { get; set; } = 50;
}
