using System.Reflection;
using Kyperian.Api.Application;
using Kyperian.Api.Endpoints.Contracts;
using Kyperian.Api.Endpoints.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Endpoints.Health;

public static class HealthEndpoints
{
    private static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // A route handler rather than MapHealthChecks, so that the OpenAPI document lists it like every other endpoint.
        app.MapGet("/health", HealthAsync)
            .WithName("Health")
            .WithTags("Health")
            .WithSummary("Every backend's health: 200 when Healthy or Degraded, 503 when Unhealthy; with the operator key also latency, details, role and version")
            .Produces<HealthView>(StatusCodes.Status200OK)
            .Produces<HealthView>(StatusCodes.Status503ServiceUnavailable);

        app.MapGet("/health/live", () => TypedResults.Text("live"))
            .WithTags("Health")
            .WithSummary("200 while the process runs (container and load balancer probe)");

        return app;
    }

    private static async Task<JsonHttpResult<HealthView>> HealthAsync(
        HealthCheckService health, IOptions<KyperianOptions> options, HttpContext context)
    {
        var report = await health.CheckHealthAsync(context.RequestAborted);

        // Anyone may learn whether the service and each backend are up; how much it holds, which build it runs and
        // what each check saw are for operators.
        var detailed = await OperatorKey.IsOperatorAsync(context);
        var checks = report.Entries.ToDictionary(
            e => e.Key,
            e => detailed
                ? new HealthCheckView(e.Value.Status.ToString(), Math.Round(e.Value.Duration.TotalMilliseconds, 2), e.Value.Description)
                : new HealthCheckView(e.Value.Status.ToString(), null, null));
        var view = detailed
            ? new HealthView(report.Status.ToString(), options.Value.Role.ToString().ToLowerInvariant(), Version, checks)
            : new HealthView(report.Status.ToString(), null, null, checks);

        context.Response.Headers.CacheControl = "no-store, no-cache";
        var status = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        return TypedResults.Json(view, ApiJsonContext.Default.HealthView, statusCode: status);
    }
}
