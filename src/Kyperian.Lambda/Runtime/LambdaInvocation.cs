namespace Kyperian.Lambda.Runtime;

/// <summary>One event taken from <c>/runtime/invocation/next</c>, with the <c>Lambda-Runtime-*</c> headers that came with it.</summary>
internal sealed class LambdaInvocation
{
    public required string AwsRequestId { get; init; }
    public required DateTimeOffset Deadline { get; init; }
    public string? InvokedFunctionArn { get; init; }
    public string? TraceId { get; init; }
    public string? ClientContext { get; init; }
    public string? CognitoIdentity { get; init; }
    public required byte[] Event { get; init; }
}
