using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>The in-process bus: degraded while it is nearly full or a signal keeps failing (until it is decided).</summary>
public sealed class InProcessBusHealthCheck(InProcessBus bus, IOptions<InProcessBusOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var detail = $"embedded channel: backlog {bus.Backlog}/{options.Value.ChannelCapacity}, signals retried past {options.Value.MaxDeliveryAttempts} attempts {bus.Struggling}";
        var strained = bus.Backlog > options.Value.ChannelCapacity * 0.8 || bus.Struggling > 0;
        return Task.FromResult(strained ? HealthCheckResult.Degraded(detail) : HealthCheckResult.Healthy(detail));
    }
}
