using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Kyperian.Lambda.Hosting;
using Kyperian.Lambda.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kyperian.Lambda.Tests;

/// <summary>A scoped service that records its disposal: one per invocation expected.</summary>
public sealed class ScopedProbe : IDisposable
{
    public Guid Id { get; } = Guid.NewGuid();
    public bool Disposed { get; private set; }
    public void Dispose() => Disposed = true;
}

public sealed class ProbeRegistry
{
    public ConcurrentDictionary<Guid, ScopedProbe> Probes { get; } = new();

    /// <summary>
    /// The <c>RequestAborted</c> of a request to <c>/until-aborted</c>, once it is inside the endpoint (its deadline is
    /// scheduled by then).
    /// </summary>
    public TaskCompletionSource<CancellationToken> WaitingForAbort { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// A small ASP.NET Core app started in-process with <c>AddLambdaHosting</c> and the Runtime API address passed
/// through configuration, as the real app gets it from its environment.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    public static readonly byte[] Octets = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

    public const string GzipText = "compressed hello from Kyperian";

    private TestApp(WebApplication app) => App = app;

    public WebApplication App { get; }

    public List<LambdaRuntimeExit> Exits { get; } = [];

    public TaskCompletionSource<LambdaRuntimeExit> Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IServer Server => App.Services.GetRequiredService<IServer>();

    public Task? Loop => (Server as LambdaRuntimeServer)?.Loop;

    /// <summary>Builds the app (not started).</summary>
    public static TestApp Create(
        string? runtimeApi,
        LambdaEventSource source,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? configureApp = null,
        Action<LambdaHostingOptions>? configureLambda = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        if (runtimeApi is not null)
        {
            builder.Configuration["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        }

        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<ProbeRegistry>();
        builder.Services.AddScoped(sp =>
        {
            var probe = new ScopedProbe();
            sp.GetRequiredService<ProbeRegistry>().Probes[probe.Id] = probe;
            return probe;
        });

        TestApp? testApp = null;
        builder.Services.AddLambdaHosting(source, options =>
        {
            options.Exit = exit =>
            {
                testApp!.Exits.Add(exit);
                testApp.Exited.TrySetResult(exit);
            };
            configureLambda?.Invoke(options);
        });

        configureBuilder?.Invoke(builder);
        var app = builder.Build();
        testApp = new TestApp(app);
        configureApp?.Invoke(app);
        MapEndpoints(app);
        return testApp;
    }

    public static async Task<TestApp> StartAsync(
        string? runtimeApi,
        LambdaEventSource source,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? configureApp = null,
        Action<LambdaHostingOptions>? configureLambda = null)
    {
        var app = Create(runtimeApi, source, configureBuilder, configureApp, configureLambda);
        await app.App.StartAsync();
        return app;
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapGet("/binary/png", () => Results.Bytes(Png, "image/png"));
        app.MapGet("/binary/octets", () => Results.Bytes(Octets, "application/octet-stream"));
        app.MapGet("/gzip", async (HttpContext ctx) =>
        {
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            ctx.Response.Headers.ContentEncoding = "gzip";
            using var buffer = new MemoryStream();
            await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(Encoding.UTF8.GetBytes(GzipText));
            }

            await ctx.Response.Body.WriteAsync(buffer.ToArray());
        });
        app.MapGet("/cookies", (HttpContext ctx) =>
        {
            ctx.Response.Cookies.Append("session", "abc");
            ctx.Response.Cookies.Append("theme", "dark");
            ctx.Response.Headers.Append("X-Multi", "one");
            ctx.Response.Headers.Append("X-Multi", "two");
            ctx.Response.Headers["X-Single"] = "only";
            return Results.Text("cookies set");
        });
        app.MapGet("/throw", string () => throw new InvalidOperationException("endpoint exploded"));
        app.MapGet("/throw-after-write", async (HttpContext ctx) =>
        {
            ctx.Response.Headers["X-Partial"] = "yes";
            await ctx.Response.WriteAsync("partial");
            throw new InvalidOperationException("exploded mid-response");
        });
        app.MapGet("/until-aborted", async (HttpContext ctx, ProbeRegistry registry) =>
        {
            registry.WaitingForAbort.TrySetResult(ctx.RequestAborted);
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
                return Results.Ok();
            }
            catch (OperationCanceledException)
            {
                return Results.Text("aborted", statusCode: 504);
            }
        });
        app.MapGet("/scope", (ScopedProbe probe, ProbeRegistry registry) => Results.Json(new
        {
            id = probe.Id,
            disposedOthers = registry.Probes.Values.Where(p => p.Id != probe.Id).Select(p => p.Disposed).ToArray(),
        }));

        // Everything else: echo the request as the app sees it.
        app.Map("/{**path}", async (HttpContext ctx) =>
        {
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body);
            var invocation = ctx.Features.Get<ILambdaInvocationFeature>();
            return Results.Json(new
            {
                method = ctx.Request.Method,
                scheme = ctx.Request.Scheme,
                pathBase = ctx.Request.PathBase.Value,
                path = ctx.Request.Path.Value,
                routePath = ctx.GetRouteValue("path")?.ToString(),
                queryString = ctx.Request.QueryString.Value,
                query = ctx.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToArray()),
                headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToArray(), StringComparer.OrdinalIgnoreCase),
                cookies = ctx.Request.Cookies.ToDictionary(c => c.Key, c => c.Value),
                contentLength = ctx.Request.ContentLength,
                bodyBase64 = Convert.ToBase64String(body.ToArray()),
                bodyText = Encoding.UTF8.GetString(body.ToArray()),
                remoteIp = ctx.Connection.RemoteIpAddress?.ToString(),
                traceIdentifier = ctx.TraceIdentifier,
                traceEnv = Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"),
                awsRequestId = invocation?.AwsRequestId,
                functionArn = invocation?.InvokedFunctionArn,
                deadline = invocation?.Deadline,
            });
        });
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await App.StopAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // never started
        }

        await App.DisposeAsync();
    }
}
