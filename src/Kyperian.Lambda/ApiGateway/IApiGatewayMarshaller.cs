using Kyperian.Lambda.Http;

namespace Kyperian.Lambda.ApiGateway;

/// <summary>Translates one API Gateway payload format to and from ASP.NET Core features.</summary>
internal interface IApiGatewayMarshaller
{
    /// <summary>The payload format, for logs: <c>REST API (payload 1.0)</c>.</summary>
    string PayloadFormat { get; }

    /// <summary>Event JSON → the request features of a fresh invocation.</summary>
    InvocationFeatures ToFeatures(ReadOnlySpan<byte> eventJson);

    /// <summary>The response the application produced → the proxy response JSON.</summary>
    byte[] ToResponseJson(InvocationFeatures features);
}
