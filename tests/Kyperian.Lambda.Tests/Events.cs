using System.Text.Json.Nodes;

namespace Kyperian.Lambda.Tests;

/// <summary>Recorded API Gateway events (Events/*.json), optionally adjusted for one test.</summary>
public static class Events
{
    public static JsonObject Load(string name)
        => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Events", name)))!.AsObject();

    public static string Json(string name, Action<JsonObject>? change = null)
    {
        var node = Load(name);
        change?.Invoke(node);
        return node.ToJsonString();
    }

    /// <summary>The REST API proxy event for a request to <c>/Prod/{proxy}</c>.</summary>
    public static string RestApi(string proxy, string method = "GET", Action<JsonObject>? change = null) => Json("rest-api-proxy.json", e =>
    {
        e["httpMethod"] = method;
        e["path"] = "/" + proxy;
        e["pathParameters"] = new JsonObject { ["proxy"] = proxy };
        e["requestContext"]!["path"] = "/Prod/" + proxy;
        e["requestContext"]!["httpMethod"] = method;
        change?.Invoke(e);
    });

    /// <summary>The HTTP API event for a GET of <paramref name="path"/>.</summary>
    public static string HttpApi(string path, string method = "GET", Action<JsonObject>? change = null) => Json("http-api-v2.json", e =>
    {
        e["rawPath"] = path;
        e["requestContext"]!["http"]!["path"] = path;
        e["requestContext"]!["http"]!["method"] = method;
        e["body"] = null;
        e["rawQueryString"] = "";
        change?.Invoke(e);
    });
}
