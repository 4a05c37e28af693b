using Kyperian.Domain.Ports;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kyperian.Api.Infrastructure.Embedded;

/// <summary>Which ports the embedded database serves.</summary>
[Flags]
public enum EmbeddedPorts
{
    None = 0,

    /// <summary>
    /// ISignalStore, IDecisionStore, IRiskLedger, the console's IDecisionHistory and IActivityStats, engine v2's
    /// records (IPositionBook, IEngineSettingsStore, IAuditLog, IRiskEventLog), INotificationOutbox, and IStoredHistory,
    /// which reads them back for replays.
    /// </summary>
    Stores = 1,

    /// <summary>IDedupeStore, IMarketState, IMarketView.</summary>
    State = 2,

    All = Stores | State,
}

/// <summary>The composition root's one line for the embedded backends.</summary>
public static class EmbeddedServiceCollectionExtensions
{
    /// <summary>
    /// The embedded database (<c>Kyperian:Embedded</c>), its retention and health check (<c>store</c>), and the
    /// stores of <paramref name="ports"/> on it, replacing whatever served those ports before.
    /// </summary>
    public static IServiceCollection AddEmbeddedBackends(this IServiceCollection services, EmbeddedPorts ports)
    {
        services.AddOptions<EmbeddedOptions>()
            .BindConfiguration(EmbeddedOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.Path), "Kyperian:Embedded:Path is required: a file, or :memory: for tests.")
            .Validate(o => o.RetentionDays >= 1, "Kyperian:Embedded:RetentionDays must be at least 1.")
            .Validate(o => o.ReadConnections is >= 1 and <= 64, "Kyperian:Embedded:ReadConnections must be 1 to 64.")
            .Validate(o => o.MaxBatch is >= 1 and <= 100_000, "Kyperian:Embedded:MaxBatch must be 1 to 100000.")
            .Validate(o => o.CacheMiB is >= 1 and <= 4096, "Kyperian:Embedded:CacheMiB must be 1 to 4096.")
            .Validate(o => o.ClaimCacheSize >= 2 && o.SymbolCacheSize >= 1, "Kyperian:Embedded:ClaimCacheSize must be at least 2 and SymbolCacheSize at least 1.")
            .Validate(o => o.RetentionBatch >= 1 && o.RetentionIntervalSeconds >= 1, "Kyperian:Embedded:RetentionBatch and RetentionIntervalSeconds must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        if (!services.Any(d => d.ServiceType == typeof(EmbeddedDatabase)))
        {
            services.AddSingleton<EmbeddedDatabase>();
            services.AddHostedService<EmbeddedRetention>();
            // Named like the check of the backend it stands in for: the store's, or the state's when it serves only that.
            var name = ports.HasFlag(EmbeddedPorts.Stores) ? "store" : "state";
            services.AddHealthChecks().AddCheck<EmbeddedHealthCheck>(name, HealthStatus.Unhealthy, [name]);
        }

        if (ports.HasFlag(EmbeddedPorts.Stores))
        {
            services.TryAddSingleton<SqliteSignalStore>();
            services.TryAddSingleton<SqliteDecisionStore>();
            services.TryAddSingleton<SqliteRiskLedger>();
            services.TryAddSingleton<SqliteNotificationOutbox>();
            services.Replace(ServiceDescriptor.Singleton<ISignalStore>(sp => sp.GetRequiredService<SqliteSignalStore>()));
            services.Replace(ServiceDescriptor.Singleton<IDecisionStore>(sp => sp.GetRequiredService<SqliteDecisionStore>()));
            services.Replace(ServiceDescriptor.Singleton<IDecisionOutbox>(sp => sp.GetRequiredService<SqliteDecisionStore>()));
            services.Replace(ServiceDescriptor.Singleton<IRiskLedger>(sp => sp.GetRequiredService<SqliteRiskLedger>()));
            services.TryAddSingleton<SqliteDecisionHistory>();
            services.TryAddSingleton<SqliteActivityStats>();
            services.Replace(ServiceDescriptor.Singleton<IDecisionHistory>(sp => sp.GetRequiredService<SqliteDecisionHistory>()));
            services.Replace(ServiceDescriptor.Singleton<IActivityStats>(sp => sp.GetRequiredService<SqliteActivityStats>()));
            services.Replace(ServiceDescriptor.Singleton<INotificationOutbox>(sp => sp.GetRequiredService<SqliteNotificationOutbox>()));
            services.Replace(ServiceDescriptor.Singleton<IPositionBook, SqlitePositionBook>());
            services.Replace(ServiceDescriptor.Singleton<IEngineSettingsStore, SqliteEngineSettingsStore>());
            services.Replace(ServiceDescriptor.Singleton<IAuditLog, SqliteAuditLog>());
            services.Replace(ServiceDescriptor.Singleton<IRiskEventLog, SqliteRiskEventLog>());
            services.Replace(ServiceDescriptor.Singleton<IStoredHistory, SqliteHistory>());
            services.AddSingleton(sp => new ExpiringTable("signals", "received_at", KeepsHistory: true, sp.GetRequiredService<SqliteSignalStore>().Removed, Companion: "signal_outbox"));
            services.AddSingleton(sp => new ExpiringTable("decisions", "decided_at", KeepsHistory: true, sp.GetRequiredService<SqliteDecisionStore>().Removed));
            services.AddSingleton(new ExpiringTable("notification_outbox", "created_at", KeepsHistory: true));
        }

        if (ports.HasFlag(EmbeddedPorts.State))
        {
            services.TryAddSingleton<SqliteDedupeStore>();
            services.TryAddSingleton<SqliteMarketState>();
            services.Replace(ServiceDescriptor.Singleton<IDedupeStore>(sp => sp.GetRequiredService<SqliteDedupeStore>()));
            services.Replace(ServiceDescriptor.Singleton<IMarketState>(sp => sp.GetRequiredService<SqliteMarketState>()));
            services.Replace(ServiceDescriptor.Singleton<IMarketView>(sp => sp.GetRequiredService<SqliteMarketState>()));
            services.AddSingleton(new ExpiringTable("dedupe_claims", "expires_at", KeepsHistory: false));
        }

        return services;
    }
}
