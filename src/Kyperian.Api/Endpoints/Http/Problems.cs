using Microsoft.AspNetCore.Http.HttpResults;

namespace Kyperian.Api.Endpoints.Http;

/// <summary>The problem+json answers more than one endpoint gives, written once.</summary>
public static class Problems
{
    /// <summary>Seconds a client should wait before trying again after a 503.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// A 503 with <c>Retry-After</c>: the caller did nothing wrong and the same request can succeed later
    /// (TradingView resends an alert after a 5xx).
    /// </summary>
    public static ProblemHttpResult Unavailable(HttpContext context, string detail)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unavailable", detail: detail);
    }

    /// <summary>A 404 that does not echo the id it was asked for.</summary>
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No {what} has this id.");
}
