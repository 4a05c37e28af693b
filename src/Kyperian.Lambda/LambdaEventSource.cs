namespace Kyperian.Lambda;

/// <summary>
/// The API Gateway integration that invokes the function. Member names mirror
/// <c>Amazon.Lambda.AspNetCoreServer.Hosting.LambdaEventSource</c> so that switching to the official
/// package is a one-line change (<c>AddLambdaHosting</c> → <c>AddAWSLambdaHosting</c>).
/// </summary>
public enum LambdaEventSource
{
    /// <summary>API Gateway REST API, Lambda proxy integration, payload format 1.0.</summary>
    RestApi,

    /// <summary>API Gateway HTTP API, payload format 2.0.</summary>
    HttpApi,
}
