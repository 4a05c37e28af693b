using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kyperian.Api.Infrastructure.Redis;

/// <summary>Dedupe and market state on Redis, in one line of the composition root.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>IDedupeStore and IMarketState on Redis (<c>Kyperian:Redis</c>), one shared multiplexer, and its health check.</summary>
    public static IServiceCollection AddRedisState(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAdapterResilience(configuration);
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section).ValidateOnStart();
        services.TryAddSingleton<RedisConnection>();
        services.AddSingleton<RedisDedupeStore>();
        services.AddSingleton<RedisMarketState>();
        services.Replace(ServiceDescriptor.Singleton<IDedupeStore>(sp => sp.GetRequiredService<RedisDedupeStore>()));
        services.Replace(ServiceDescriptor.Singleton<IMarketState>(sp => sp.GetRequiredService<RedisMarketState>()));

        // Without Redis the webhook still takes signals (dedupe falls back to the store): Degraded, not Unhealthy.
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("state", HealthStatus.Degraded, ["state"]);
        return services;
    }
}
