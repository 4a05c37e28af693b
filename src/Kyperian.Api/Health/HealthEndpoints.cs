using System.Reflection;
using System.Text.Json;
using Kyperian.Api.Contracts;
using Kyperian.Api.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Health;

public static class HealthEndpoints
{
    private static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        })
        .WithTags("Health")
        .WithSummary("Every backend's health with its latency: 200 when Healthy or Degraded, 503 when Unhealthy");

        app.MapGet("/health/live", () => TypedResults.Text("live"))
            .WithTags("Health")
            .WithSummary("200 while the process runs (container and load balancer probe)");

        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var role = context.RequestServices.GetRequiredService<IOptions<KyperianOptions>>().Value.Role;
        var checks = report.Entries.ToDictionary(
            e => e.Key,
            e => new HealthCheckView(e.Value.Status.ToString(), Math.Round(e.Value.Duration.TotalMilliseconds, 2), e.Value.Description));
        var view = new HealthView(report.Status.ToString(), role.ToString().ToLowerInvariant(), Version, checks);

        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, view, ApiJsonContext.Default.HealthView, context.RequestAborted);
    }
}
