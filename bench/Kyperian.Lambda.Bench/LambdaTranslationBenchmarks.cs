using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Kyperian.Lambda.ApiGateway;
using Kyperian.Lambda.Http;

namespace Kyperian.Lambda.Bench;

/// <summary>
/// Per-invocation translation cost without HTTP: API Gateway event JSON → ASP.NET Core features, then the
/// response the app wrote → proxy response JSON. The budget is 50 µs per invocation.
/// The events are the recorded ones of the tests, made into a TradingView alert POST to /Prod/webhook.
/// </summary>
[MemoryDiagnoser]
public class LambdaTranslationBenchmarks
{
    private const string Alert = """{"symbol":"BINANCE:BTCUSDT","action":"buy","timeframe":"15","price":64250.5,"confidence":80,"time":"2025-11-28T12:00:00Z","passphrase":"a-long-enough-passphrase"}""";

    private static readonly byte[] Accepted = Encoding.UTF8.GetBytes("""{"signalId":"sig_4d1c0f3b8a2e4b7f9c6d5e4f3a2b1c0d","status":"accepted","receivedAt":"2025-11-28T12:00:00.1234567+00:00"}""");

    private byte[] _restEvent = [];
    private byte[] _httpEvent = [];

    [GlobalSetup]
    public void Setup()
    {
        var rest = Load("rest-api-proxy.json");
        rest["httpMethod"] = "POST";
        rest["resource"] = "/{proxy+}";
        rest["path"] = "/webhook";
        rest["pathParameters"] = new JsonObject { ["proxy"] = "webhook" };
        rest["requestContext"]!["path"] = "/Prod/webhook";
        rest["queryStringParameters"] = null;
        rest["multiValueQueryStringParameters"] = null;
        rest["headers"]!["Content-Type"] = "application/json";
        rest["multiValueHeaders"]!["Content-Type"] = new JsonArray("application/json");
        rest["body"] = Alert;
        _restEvent = Encoding.UTF8.GetBytes(rest.ToJsonString());

        var http = Load("http-api-v2.json");
        http["rawPath"] = "/webhook";
        http["requestContext"]!["http"]!["path"] = "/webhook";
        http["headers"]!["content-type"] = "application/json";
        http["body"] = Alert;
        _httpEvent = Encoding.UTF8.GetBytes(http.ToJsonString());
    }

    [Benchmark(Baseline = true)]
    public byte[] RestApi_v1_event_to_response_json()
    {
        var features = ApiGatewayV1Marshaller.ToFeatures(_restEvent);
        Respond(features);
        return ApiGatewayV1Marshaller.Serialize(ApiGatewayV1Marshaller.FromResponse(features));
    }

    [Benchmark]
    public byte[] HttpApi_v2_event_to_response_json()
    {
        var features = ApiGatewayV2Marshaller.ToFeatures(_httpEvent);
        Respond(features);
        return ApiGatewayV2Marshaller.Serialize(ApiGatewayV2Marshaller.FromResponse(features));
    }

    [Benchmark]
    public object RestApi_v1_event_to_features() => ApiGatewayV1Marshaller.ToFeatures(_restEvent);

    [Benchmark]
    public byte[] RestApi_v1_response_to_json()
    {
        var features = new InvocationFeatures();
        Respond(features);
        return ApiGatewayV1Marshaller.Serialize(ApiGatewayV1Marshaller.FromResponse(features));
    }

    /// <summary>What /webhook writes for an accepted alert.</summary>
    private static void Respond(InvocationFeatures features)
    {
        features.StatusCode = 202;
        features.ResponseHeaders.ContentType = "application/json; charset=utf-8";
        features.ResponseHeaders.Location = "/signals/sig_4d1c0f3b8a2e4b7f9c6d5e4f3a2b1c0d";
        features.Writer.Write(Accepted);
        features.EndResponseAsync().GetAwaiter().GetResult();
    }

    private static JsonObject Load(string name)
        => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Events", name)))!.AsObject();
}
