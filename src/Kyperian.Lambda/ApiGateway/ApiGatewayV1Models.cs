namespace Kyperian.Lambda.ApiGateway;

// API Gateway REST API, Lambda proxy integration, payload format 1.0.
// Only the members the translation uses; System.Text.Json skips the rest.

internal sealed class ApiGatewayV1Request
{
    public string? Resource { get; set; }
    public string? Path { get; set; }
    public string? HttpMethod { get; set; }
    public Dictionary<string, string?>? Headers { get; set; }
    public Dictionary<string, List<string?>?>? MultiValueHeaders { get; set; }
    public Dictionary<string, string?>? QueryStringParameters { get; set; }
    public Dictionary<string, List<string?>?>? MultiValueQueryStringParameters { get; set; }
    public Dictionary<string, string?>? PathParameters { get; set; }
    public ApiGatewayV1RequestContext? RequestContext { get; set; }
    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }
}

internal sealed class ApiGatewayV1RequestContext
{
    public string? ApiId { get; set; }
    public string? Stage { get; set; }
    public string? Path { get; set; }
    public string? Protocol { get; set; }
    public string? RequestId { get; set; }
    public string? DomainName { get; set; }
    public ApiGatewayV1Identity? Identity { get; set; }
}

internal sealed class ApiGatewayV1Identity
{
    public string? SourceIp { get; set; }
}

internal sealed class ApiGatewayV1Response
{
    public int StatusCode { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public Dictionary<string, string[]>? MultiValueHeaders { get; set; }
    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }
}
