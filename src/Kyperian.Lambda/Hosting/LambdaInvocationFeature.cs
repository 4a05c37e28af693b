using Kyperian.Lambda.Http;
using Kyperian.Lambda.Runtime;

namespace Kyperian.Lambda.Hosting;

/// <summary>The invocation the Runtime API handed out, shown to the application as an HTTP feature.</summary>
internal sealed class LambdaInvocationFeature(LambdaInvocation invocation) : ILambdaInvocationFeature
{
    public string AwsRequestId => invocation.AwsRequestId;

    public DateTimeOffset Deadline => invocation.Deadline;

    public string? InvokedFunctionArn => invocation.InvokedFunctionArn;

    public string? TraceId => invocation.TraceId;

    public string? ClientContext => invocation.ClientContext;

    public string? CognitoIdentity => invocation.CognitoIdentity;
}
