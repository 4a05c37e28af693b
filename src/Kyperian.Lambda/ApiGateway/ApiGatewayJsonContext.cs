using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kyperian.Lambda.ApiGateway;

/// <summary>Source-generated (reflection-free) JSON for the API Gateway proxy payloads, both formats.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ApiGatewayV1Request))]
[JsonSerializable(typeof(ApiGatewayV1Response))]
[JsonSerializable(typeof(ApiGatewayV2Request))]
[JsonSerializable(typeof(ApiGatewayV2Response))]
internal sealed partial class ApiGatewayJsonContext : JsonSerializerContext;
