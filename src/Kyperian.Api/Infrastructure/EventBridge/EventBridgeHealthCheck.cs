using Kyperian.Api.Infrastructure.Resilience;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.EventBridge;

/// <summary>DescribeEventBus on the configured bus.</summary>
public sealed class EventBridgeHealthCheck(IPutEventsClient client, IOptions<EventBridgeOptions> options, ResiliencePipelines resilience)
    : BackendHealthCheck(resilience, Backend.EventBridge, "EventBridge")
{
    protected override async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        await client.DescribeEventBusAsync(options.Value.BusName, cancellationToken);
        return new ProbeResult(true, options.Value.BusName);
    }
}
