using Kyperian.Api.Embedded;
using Kyperian.Api.Engine;
using Kyperian.Api.Health;
using Kyperian.Domain.Ports;

namespace Kyperian.Api.Hosting;

/// <summary>Chooses, per port, the embedded backend or the AWS one (<c>Kyperian:Store</c>, <c>:Bus</c>, <c>:State</c>).</summary>
public static class BackendRegistration
{
    public static IServiceCollection AddKyperianBackends(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(KyperianOptions.Section).Get<KyperianOptions>() ?? new KyperianOptions();
        var health = services.AddHealthChecks();

        switch (options.Store)
        {
            case StoreBackend.Embedded:
                services.AddSingleton<InMemorySignalStore>();
                services.AddSingleton<InMemoryDecisionStore>();
                services.AddSingleton<ISignalStore>(sp => sp.GetRequiredService<InMemorySignalStore>());
                services.AddSingleton<IDecisionStore>(sp => sp.GetRequiredService<InMemoryDecisionStore>());
                services.AddSingleton<IRiskLedger, InMemoryRiskLedger>();
                health.AddCheck<EmbeddedBackendsHealthCheck>("store");
                break;
            default:
                throw new NotSupportedException($"Kyperian:Store={options.Store} is not available in this build.");
        }

        switch (options.Bus)
        {
            case BusBackend.Embedded:
                services.AddSingleton<InProcessBus>();
                services.AddSingleton<IEventBus>(sp => sp.GetRequiredService<InProcessBus>());
                services.AddSingleton<ISignalFeed>(sp => sp.GetRequiredService<InProcessBus>());
                health.AddCheck<InProcessBusHealthCheck>("bus");
                break;
            default:
                throw new NotSupportedException($"Kyperian:Bus={options.Bus} is not available in this build.");
        }

        switch (options.State)
        {
            case StateBackend.Embedded:
                services.AddSingleton<InMemoryMarketState>();
                services.AddSingleton<IMarketState>(sp => sp.GetRequiredService<InMemoryMarketState>());
                services.AddSingleton<IDedupeStore>(sp => sp.GetRequiredService<InMemoryMarketState>());
                break;
            default:
                throw new NotSupportedException($"Kyperian:State={options.State} is not available in this build.");
        }

        return services;
    }
}
