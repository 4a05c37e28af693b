using System.Security.Cryptography;
using Kyperian.Api.Application;
using Kyperian.Api.Application.Monitoring;
using Kyperian.Api.Application.Security;
using Kyperian.Api.Endpoints.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Endpoints.ConsolePage;

/// <summary>
/// The operator console: one static page with its stylesheet and script, embedded in the assembly and served as they
/// are. The page itself holds nothing secret and is public; everything it shows comes from the operator API, with the
/// key the operator types in.
/// </summary>
public static class ConsolePageEndpoints
{
    /// <summary>Only this origin's own files and API: no inline script, no third party, no framing.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Asset Page = Asset.Load("console.html", "text/html; charset=utf-8");
    private static readonly Asset Stylesheet = Asset.Load("console.css", "text/css; charset=utf-8");
    private static readonly Asset Script = Asset.Load("console.js", "text/javascript; charset=utf-8");

    public static IEndpointRouteBuilder MapConsolePage(this IEndpointRouteBuilder app)
    {
        var console = app.MapGroup("/console").WithTags("Console");
        console.MapGet(string.Empty, (HttpContext context) => Serve(context, Page)).WithName("Console")
            .WithSummary("The operator console: a live page of the multi-timeframe matrix, decisions, vetoes, risk and health")
            .Produces(StatusCodes.Status200OK, contentType: "text/html");
        console.MapGet("/console.css", (HttpContext context) => Serve(context, Stylesheet)).ExcludeFromDescription();
        console.MapGet("/console.js", (HttpContext context) => Serve(context, Script)).ExcludeFromDescription();
        console.MapGet("/info", Info).WithName("ConsoleInfo")
            .WithSummary("What the console needs before it asks for anything: whether a key is needed, the environment and role, which features exist");
        return app;
    }

    private static Ok<ConsoleInfo> Info(
        IOptions<OperatorOptions> operators, IOptions<KyperianOptions> kyperian, IOptions<ConsoleOptions> console, EndpointDataSource endpoints, HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new ConsoleInfo(
            !string.IsNullOrEmpty(operators.Value.ApiKey),
            kyperian.Value.Environment,
            kyperian.Value.Role.ToString().ToLowerInvariant(),
            console.Value.EventsMode == EventsMode.Snapshot ? "snapshot" : "stream",
            Serves(endpoints, "/positions"),
            Serves(endpoints, "/notifications"),
            Serves(endpoints, "/performance")));
    }

    private static bool Serves(EndpointDataSource endpoints, string path) =>
        endpoints.Endpoints.OfType<RouteEndpoint>().Any(e =>
            e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Get) == true
            && string.Equals(e.RoutePattern.RawText?.TrimEnd('/'), path, StringComparison.OrdinalIgnoreCase));

    private static IResult Serve(HttpContext context, Asset asset)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private sealed record Asset(byte[] Content, string ContentType, string ETag)
    {
        public static Asset Load(string name, string contentType)
        {
            using var stream = typeof(ConsolePageEndpoints).Assembly.GetManifestResourceStream("console/" + name)
                ?? throw new InvalidOperationException($"The console asset {name} is not embedded in the assembly.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            return new Asset(content, contentType, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
        }
    }
}
