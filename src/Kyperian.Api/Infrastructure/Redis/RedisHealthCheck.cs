using Kyperian.Api.Infrastructure.Resilience;

namespace Kyperian.Api.Infrastructure.Redis;

/// <summary>PING. Redis away is Degraded by default: the webhook still works without it.</summary>
public sealed class RedisHealthCheck(RedisConnection connection, ResiliencePipelines resilience)
    : BackendHealthCheck(resilience, Backend.Redis, "Redis")
{
    protected override async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var db = await connection.DatabaseAsync();
        var ping = await db.PingAsync().WaitAsync(cancellationToken);
        return new ProbeResult(true, $"PING {ping.TotalMilliseconds:F2} ms");
    }
}
