using System.Reflection;
using NetArchTest.Rules;

namespace Kyperian.Architecture.Tests;

/// <summary>
/// The layers, from the outside in: Hosting (the composition root) → Endpoints (HTTP) → Application (use cases) →
/// Domain (rules and ports); Infrastructure (AWS, Redis, embedded) implements the ports. Lambda hosts any app.
/// </summary>
public sealed class LayerTests
{
    private static readonly Assembly Api = typeof(Kyperian.Api.Hosting.KyperianApplication).Assembly;
    private static readonly Assembly Domain = typeof(Kyperian.Domain.Signals.Signal).Assembly;
    private static readonly Assembly Lambda = typeof(Kyperian.Lambda.LambdaEventSource).Assembly;

    public static TheoryData<string> Roots => ["Kyperian.Api", "Kyperian.Domain", "Kyperian.Lambda"];

    [Theory]
    [MemberData(nameof(Roots))]
    public void No_namespace_depends_on_itself_through_others(string root)
    {
        var cycles = NamespaceGraph.Build(AssemblyOf(root), root).FindCycles();

        Assert.True(cycles.Count == 0, NamespaceGraph.Describe(cycles));
    }

    [Fact]
    public void The_composition_root_knows_every_layer_and_the_edge_uses_its_use_cases()
    {
        var graph = NamespaceGraph.Build(Api, "Kyperian.Api");

        Assert.True(graph.DependsOn("Kyperian.Api.Hosting", "Kyperian.Api.Endpoints.Webhooks"));
        Assert.True(graph.DependsOn("Kyperian.Api.Hosting", "Kyperian.Api.Infrastructure.Embedded"));
        Assert.True(graph.DependsOn("Kyperian.Api.Endpoints.Webhooks", "Kyperian.Api.Application.Intake"));
    }

    [Theory]
    [InlineData("Kyperian.Api.Application", "Kyperian.Api.Endpoints")]
    [InlineData("Kyperian.Api.Application", "Kyperian.Api.Infrastructure")]
    [InlineData("Kyperian.Api.Application", "Kyperian.Api.Hosting")]
    [InlineData("Kyperian.Api.Endpoints", "Kyperian.Api.Infrastructure")]
    [InlineData("Kyperian.Api.Endpoints", "Kyperian.Api.Hosting")]
    [InlineData("Kyperian.Api.Infrastructure", "Kyperian.Api.Endpoints")]
    [InlineData("Kyperian.Api.Infrastructure", "Kyperian.Api.Hosting")]
    public void A_layer_does_not_reach_outward(string layer, string forbidden)
    {
        var result = Types.InAssembly(Api).That().ResideInNamespace(layer).ShouldNot().HaveDependencyOn(forbidden).GetResult();

        Assert.True(result.IsSuccessful, $"{layer} must not use {forbidden}: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void Adapters_use_no_more_of_the_application_than_its_metrics_and_settings()
    {
        var result = Types.InAssembly(Api).That().ResideInNamespace("Kyperian.Api.Infrastructure")
            .ShouldNot().HaveDependencyOnAny("Kyperian.Api.Application.Intake", "Kyperian.Api.Application.Processing")
            .GetResult();

        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void The_domain_knows_no_host_cloud_or_store()
    {
        var result = Types.InAssembly(Domain).ShouldNot()
            .HaveDependencyOnAny("Microsoft.AspNetCore", "Amazon", "StackExchange.Redis", "Microsoft.Data.Sqlite", "Polly", "Kyperian.Api", "Kyperian.Lambda")
            .GetResult();

        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Only_the_bus_contract_serializes_for_the_bus()
    {
        // The HTTP API's JSON context is the edge's; adapters have their own wire contracts.
        var result = Types.InAssembly(Api).That().ResideInNamespace("Kyperian.Api.Infrastructure")
            .ShouldNot().HaveDependencyOn("Kyperian.Api.Endpoints.Contracts").GetResult();

        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
    }

    private static Assembly AssemblyOf(string root) => root switch
    {
        "Kyperian.Api" => Api,
        "Kyperian.Domain" => Domain,
        _ => Lambda,
    };
}
