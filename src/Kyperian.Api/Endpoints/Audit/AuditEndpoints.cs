using System.Globalization;
using Kyperian.Api.Endpoints.Http;
using Kyperian.Domain.Audit;
using Kyperian.Domain.Ports;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Kyperian.Api.Endpoints.Audit;

/// <summary>Every halt, resume, P&amp;L report and settings change, as operators made them.</summary>
public static class AuditEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/audit").WithTags("Audit").RequireOperatorKey()
            .MapGet("/", ListAsync).WithName("ListAudit").WithSummary("Halts, resumes, P&L reports and settings changes, newest first");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<AuditEntry>>, ValidationProblem>> ListAsync([FromQuery] string? limit, IAuditLog log, CancellationToken ct)
    {
        var count = DefaultLimit;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count is >= 1 and <= MaxLimit))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["limit"] = [$"must be a whole number from 1 to {MaxLimit}"] }, title: "The query is invalid");
        }

        return TypedResults.Ok(await log.ListAsync(count, ct));
    }
}
