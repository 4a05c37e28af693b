using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Kyperian.Lambda.Hosting;

/// <summary>
/// Outermost startup filter: a failure while the application pipeline is configured is a start-up failure,
/// reported to <c>/runtime/init/error</c> before the host start fails.
/// </summary>
internal sealed class InitErrorStartupFilter(LambdaRuntime runtime) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        try
        {
            next(app);
        }
        catch (Exception ex)
        {
            runtime.ReportInitError(ex);
            throw;
        }
    };
}

/// <summary>
/// The pipeline is built (middleware constructed) outside the startup filters, by the host's
/// <see cref="IApplicationBuilderFactory"/>: this one guards <see cref="IApplicationBuilder.Build"/>.
/// </summary>
internal sealed class InitErrorApplicationBuilderFactory(IServiceProvider services, LambdaRuntime runtime) : IApplicationBuilderFactory
{
    private readonly ApplicationBuilderFactory _inner = new(services);

    public IApplicationBuilder CreateBuilder(IFeatureCollection serverFeatures)
        => new GuardedApplicationBuilder(_inner.CreateBuilder(serverFeatures), runtime);

    private sealed class GuardedApplicationBuilder(IApplicationBuilder inner, LambdaRuntime runtime) : IApplicationBuilder
    {
        public IServiceProvider ApplicationServices
        {
            get => inner.ApplicationServices;
            set => inner.ApplicationServices = value;
        }

        public IFeatureCollection ServerFeatures => inner.ServerFeatures;

        public IDictionary<string, object?> Properties => inner.Properties;

        public IApplicationBuilder Use(Func<RequestDelegate, RequestDelegate> middleware)
        {
            inner.Use(middleware);
            return this;
        }

        public IApplicationBuilder New() => inner.New();

        public RequestDelegate Build()
        {
            try
            {
                return inner.Build();
            }
            catch (Exception ex)
            {
                runtime.ReportInitError(ex);
                throw;
            }
        }
    }
}
