using Kyperian.Lambda.Http;

namespace Kyperian.Lambda.ApiGateway;

/// <summary>Translates one API Gateway payload format to and from ASP.NET Core features.</summary>
internal interface IApiGatewayMarshaller
{
    /// <summary>Event JSON → the request features of a fresh invocation.</summary>
    InvocationFeatures ToFeatures(ReadOnlySpan<byte> eventJson);

    /// <summary>The response the application produced → the proxy response JSON.</summary>
    byte[] ToResponseJson(InvocationFeatures features);

    public static IApiGatewayMarshaller For(LambdaEventSource source) => source switch
    {
        LambdaEventSource.RestApi => ApiGatewayV1Marshaller.Instance,
        LambdaEventSource.HttpApi => ApiGatewayV2Marshaller.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown Lambda event source."),
    };
}
