using BenchmarkDotNet.Attributes;
using Kyperian.Api.Application.Intake;
using Kyperian.Api.Endpoints.Webhooks;
using Microsoft.Extensions.Options;

namespace Kyperian.Bench;

/// <summary>
/// What building the /webhook sender filter costs. ASP.NET Core's AddEndpointFilter&lt;T&gt;() builds a new filter for
/// every request, so this runs per request unless the filter is resolved once (it is a DI singleton).
/// </summary>
[MemoryDiagnoser]
public class EndpointFilterBenchmarks
{
    private readonly IOptions<WebhookOptions> _options = Options.Create(new WebhookOptions());

    [Benchmark(Description = "new AllowedSendersFilter (per request with AddEndpointFilter<T>)")]
    public AllowedSendersFilter Construct() => new(_options);
}
