using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Ports;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kyperian.Api.Infrastructure.EventBridge;

/// <summary>The signal bus on EventBridge, in one line of the composition root.</summary>
public static class EventBridgeServiceCollectionExtensions
{
    /// <summary>IEventBus on EventBridge (<c>Kyperian:EventBridge</c>) through <see cref="IPutEventsClient"/>, and its health check.</summary>
    public static IServiceCollection AddEventBridgeBus(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAdapterResilience(configuration);
        services.AddOptions<EventBridgeOptions>().BindConfiguration(EventBridgeOptions.Section).ValidateOnStart();

        // The seam: AWSSDK.EventBridge, where it can be restored, replaces this one line.
        services.TryAddSingleton<IPutEventsClient, SignedEventBridgeClient>();
        services.AddSingleton<EventBridgeEventBus>();
        services.Replace(ServiceDescriptor.Singleton<IEventBus>(sp => sp.GetRequiredService<EventBridgeEventBus>()));
        services.AddHealthChecks().AddCheck<EventBridgeHealthCheck>("bus", HealthStatus.Unhealthy, ["bus"]);
        return services;
    }
}
