using Kyperian.Api.Endpoints.Http;
using Kyperian.Api.Infrastructure.Resilience;
using Kyperian.Domain.Alerts;
using Kyperian.Domain.Ports;
using Microsoft.AspNetCore.Diagnostics;
using Polly.CircuitBreaker;

namespace Kyperian.Api.Hosting;

/// <summary>
/// A backend that is down (timeout, open circuit, unreachable server) is a 503 with <c>Retry-After</c>, not a 500:
/// the caller did nothing wrong and trying again later can succeed. Anything else stays a 500.
/// </summary>
public sealed partial class BackendUnavailableHandler(ILogger<BackendUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsOutage(exception, httpContext.RequestAborted) || httpContext.Response.HasStarted)
        {
            return false;
        }

        LogOutage(logger, exception, httpContext.Request.Method, Printable.Escape(httpContext.Request.Path.Value));
        await Problems.Unavailable(httpContext, "A backend is unavailable; try again shortly.").ExecuteAsync(httpContext);
        return true;
    }

    private static bool IsOutage(Exception exception, CancellationToken requestAborted) =>
        exception is not BadHttpRequestException
        && (exception is BrokenCircuitException or BusUnavailableException or IOException
            || TransientErrors.IsTransient(exception, requestAborted));

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} failed: a backend is unavailable")]
    private static partial void LogOutage(ILogger logger, Exception exception, string method, string path);
}
