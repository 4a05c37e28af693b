using Kyperian.Api.Application.Intake;
using Kyperian.Api.Application.Security;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Endpoints.Health;

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
