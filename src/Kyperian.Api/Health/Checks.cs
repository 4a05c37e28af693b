using Kyperian.Api.Embedded;
using Kyperian.Api.Operators;
using Kyperian.Api.Webhooks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Health;

/// <summary>Degraded while the webhook passphrase or operator key is unset (allowed in Development only).</summary>
public sealed class AuthHealthCheck(IOptions<WebhookOptions> webhook, IOptions<OperatorOptions> operators) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var missing = new List<string>(2);
        if (string.IsNullOrEmpty(webhook.Value.Passphrase))
        {
            missing.Add("Kyperian:Webhook:Passphrase");
        }

        if (string.IsNullOrEmpty(operators.Value.ApiKey))
        {
            missing.Add("Kyperian:Operator:ApiKey");
        }

        return Task.FromResult(missing.Count == 0
            ? HealthCheckResult.Healthy("passphrase and operator key configured")
            : HealthCheckResult.Degraded($"open: {string.Join(" and ", missing)} not set (Development only)"));
    }
}

/// <summary>The in-memory backends: always up; reports what they hold.</summary>
public sealed class EmbeddedBackendsHealthCheck(InMemorySignalStore signals, InMemoryDecisionStore decisions) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy($"embedded in-memory: {signals.Count} signals, {decisions.Count} decisions"));
}

/// <summary>The in-process bus: degraded while it is nearly full or has dead-lettered signals.</summary>
public sealed class InProcessBusHealthCheck(InProcessBus bus, IOptions<Engine.WorkerOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var detail = $"embedded channel: backlog {bus.Backlog}/{options.Value.ChannelCapacity}, dead letters {bus.DeadLetters}";
        var strained = bus.Backlog > options.Value.ChannelCapacity * 0.8 || bus.DeadLetters > 0;
        return Task.FromResult(strained ? HealthCheckResult.Degraded(detail) : HealthCheckResult.Healthy(detail));
    }
}
