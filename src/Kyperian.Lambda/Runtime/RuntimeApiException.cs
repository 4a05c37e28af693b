using System.Net;

namespace Kyperian.Lambda.Runtime;

/// <summary>The Runtime API answered with a status the runtime did not expect.</summary>
internal sealed class RuntimeApiException(string operation, HttpStatusCode statusCode, string? body)
    : Exception($"Lambda Runtime API {operation} answered {(int)statusCode} {statusCode}: {body}")
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>A 5xx from the Runtime API means the sandbox is broken and the runtime must exit.</summary>
    public bool IsFatal => (int)StatusCode >= 500;
}
