namespace Kyperian.Lambda.ApiGateway;

// API Gateway HTTP API, payload format 2.0.

internal sealed class ApiGatewayV2Request
{
    public string? Version { get; set; }
    public string? RawPath { get; set; }
    public string? RawQueryString { get; set; }
    public string[]? Cookies { get; set; }
    public Dictionary<string, string?>? Headers { get; set; }
    public ApiGatewayV2RequestContext? RequestContext { get; set; }
    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }
}

internal sealed class ApiGatewayV2RequestContext
{
    public string? ApiId { get; set; }
    public string? DomainName { get; set; }
    public string? RequestId { get; set; }
    public string? Stage { get; set; }
    public ApiGatewayV2Http? Http { get; set; }
}

internal sealed class ApiGatewayV2Http
{
    public string? Method { get; set; }
    public string? Path { get; set; }
    public string? Protocol { get; set; }
    public string? SourceIp { get; set; }
}

internal sealed class ApiGatewayV2Response
{
    public int StatusCode { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public string[]? Cookies { get; set; }
    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }
}
