using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StackExchange.Redis;

namespace Kyperian.Api.Infrastructure.Resilience;

/// <summary>
/// Which failures are worth another try: throttles, 5xx, timeouts and broken connections. A validation error,
/// a failed condition or a missing table is not: retrying would only repeat it.
/// </summary>
public static class TransientErrors
{
    private static readonly HashSet<string> ThrottleCodes = new(StringComparer.Ordinal)
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "RequestThrottled",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        "TransactionInProgressException",
        "KMSThrottlingException",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "InternalServerErrorException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
        "IDPCommunicationError",
    };

    /// <summary>True for error codes a service returns when trying again later can succeed.</summary>
    public static bool IsRetryableCode(string? errorCode) =>
        errorCode is not null && (ThrottleCodes.Contains(errorCode) || TransientCodes.Contains(errorCode));

    /// <param name="exception">The failure.</param>
    /// <param name="callerToken">A cancellation the caller asked for is never transient.</param>
    public static bool IsTransient(Exception exception, CancellationToken callerToken = default)
    {
        switch (exception)
        {
            case BrokenCircuitException:
                // The circuit already knows; retrying it only burns the caller's time.
                return false;
            case TimeoutRejectedException:
                return true;
            case OperationCanceledException:
                return !callerToken.IsCancellationRequested;
            case AmazonServiceException service:
                if (IsRetryableCode(service.ErrorCode)
                    || (int)service.StatusCode >= 500
                    || service.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    return true;
                }

                // No answer from the service at all: the transport failed underneath.
                return service.StatusCode == 0 && service.InnerException is { } inner && IsTransient(inner, callerToken);
            case AmazonClientException client:
                return client.InnerException is { } clientInner && IsTransient(clientInner, callerToken);
            case AwsHttpException http:
                return http.IsTransient;
            case RedisConnectionException or RedisTimeoutException:
                return true;
            case RedisServerException redis:
                return redis.Message.StartsWith("LOADING", StringComparison.Ordinal)
                    || redis.Message.StartsWith("BUSY", StringComparison.Ordinal)
                    || redis.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
                    || redis.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal);
            case HttpRequestException or IOException or SocketException or TimeoutException:
                return true;
            default:
                return false;
        }
    }
}

/// <summary>An AWS JSON-protocol call answered with an error, from our own signed clients.</summary>
public sealed class AwsHttpException(HttpStatusCode statusCode, string? errorCode, string message)
    : Exception($"{(int)statusCode} {errorCode}: {message}")
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The <c>__type</c> of the error body without its namespace, e.g. <c>ThrottlingException</c>.</summary>
    public string? ErrorCode { get; } = errorCode;

    public bool IsTransient =>
        TransientErrors.IsRetryableCode(ErrorCode) || (int)StatusCode >= 500 || StatusCode == HttpStatusCode.TooManyRequests;
}
