using System.Text.Json.Serialization;
using Kyperian.Lambda.Runtime;

namespace Kyperian.Lambda.ApiGateway;

/// <summary>Source-generated (reflection-free) JSON for the API Gateway payloads and the Lambda error document.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ApiGatewayV1Request))]
[JsonSerializable(typeof(ApiGatewayV1Response))]
[JsonSerializable(typeof(ApiGatewayV2Request))]
[JsonSerializable(typeof(ApiGatewayV2Response))]
[JsonSerializable(typeof(LambdaErrorBody))]
internal sealed partial class LambdaJsonContext : JsonSerializerContext;
