using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Kyperian.Api.Tests.Http.Infrastructure;

/// <summary>
/// The test server has no network peer. This stands in for the TCP connection: a request carrying
/// <see cref="Header"/> arrives from that address, as a real connection from it would.
/// </summary>
public sealed class RemoteAddress : IStartupFilter
{
    public const string Header = "X-Test-Remote-Address";

    public static void AddTo(IServiceCollection services) => services.AddSingleton<IStartupFilter, RemoteAddress>();

    public static HttpRequestMessage From(string address, HttpRequestMessage request)
    {
        request.Headers.Add(Header, address);
        return request;
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((HttpContext context, RequestDelegate following) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var value) && IPAddress.TryParse(value.ToString(), out var address))
            {
                context.Connection.RemoteIpAddress = address;
                context.Request.Headers.Remove(Header);
            }

            return following(context);
        });
        next(app);
    };
}
