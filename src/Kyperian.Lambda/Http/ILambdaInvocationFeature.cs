namespace Kyperian.Lambda.Http;

/// <summary>
/// The Lambda invocation behind the current request: <c>HttpContext.Features.Get&lt;ILambdaInvocationFeature&gt;()</c>.
/// Absent when the app does not run on Lambda.
/// </summary>
public interface ILambdaInvocationFeature
{
    /// <summary>The <c>Lambda-Runtime-Aws-Request-Id</c> (also the request's <c>TraceIdentifier</c>).</summary>
    string AwsRequestId { get; }

    /// <summary>When Lambda ends the invocation (<c>Lambda-Runtime-Deadline-Ms</c>).</summary>
    DateTimeOffset Deadline { get; }

    /// <summary><c>Lambda-Runtime-Invoked-Function-Arn</c>.</summary>
    string? InvokedFunctionArn { get; }

    /// <summary><c>Lambda-Runtime-Trace-Id</c> (X-Ray); also in the <c>_X_AMZN_TRACE_ID</c> environment variable.</summary>
    string? TraceId { get; }

    /// <summary><c>Lambda-Runtime-Client-Context</c> (JSON), when the caller sent one.</summary>
    string? ClientContext { get; }

    /// <summary><c>Lambda-Runtime-Cognito-Identity</c> (JSON), when the caller sent one.</summary>
    string? CognitoIdentity { get; }
}
