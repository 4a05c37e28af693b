using Kyperian.Domain.Alerts;
using Microsoft.AspNetCore.Diagnostics;

namespace Kyperian.Api.Endpoints.Http;

/// <summary>
/// A request the client sent badly (too slowly, truncated, broken chunk framing, a body that cannot be bound) is
/// the client's mistake: its 400 or 408 with one log line, never a 503 and never a stack trace.
/// </summary>
public sealed partial class ClientErrorHandler(ILogger<ClientErrorHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        LogBadRequest(logger, badRequest.StatusCode, httpContext.Request.Method, Printable.Escape(httpContext.Request.Path.Value), Printable.Escape(badRequest.Message));
        if (httpContext.Response.HasStarted)
        {
            return true;
        }

        var timedOut = badRequest.StatusCode == StatusCodes.Status408RequestTimeout;
        await TypedResults.Problem(
            statusCode: badRequest.StatusCode,
            title: timedOut ? "Request timeout" : "Bad request",
            detail: timedOut ? "The request body arrived too slowly." : "The request could not be read: " + Printable.Escape(badRequest.Message))
            .ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Status} for {Method} {Path}: {Reason}")]
    private static partial void LogBadRequest(ILogger logger, int status, string method, string path, string reason);
}
