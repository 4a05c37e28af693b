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

    public static TheoryData<string, string> Assemblies => new()
    {
        { "Kyperian.Api", "Kyperian.Api" },
        { "Kyperian.Domain", "Kyperian.Domain" },
        { "Kyperian.Lambda", "Kyperian.Lambda" },
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void No_namespace_depends_on_itself_through_others(string assembly, string rootNamespace)
    {
        var graph = NamespaceGraph.Build(PathOf(assembly), rootNamespace);

        var cycles = graph.FindCycles();

        Assert.True(cycles.Count == 0, "Namespace cycles:" + Environment.NewLine + string.Join(Environment.NewLine, cycles.Select(graph.Describe)));
    }

    [Fact]
    public void The_cycle_check_finds_a_cycle_and_passes_a_chain()
    {
        var cyclic = NamespaceGraph.FromEdges(("A", "B"), ("B", "C"), ("C", "A"), ("C", "D"));
        var chain = NamespaceGraph.FromEdges(("A", "B"), ("B", "C"), ("A", "C"));

        Assert.Equal(["A", "B", "C"], Assert.Single(cyclic.FindCycles()));
        Assert.Empty(chain.FindCycles());
    }

    [Fact]
    public void The_graph_sees_references_a_using_would_not_show()
    {
        // Hosting names Endpoints types; the composition root is the one place allowed to know every layer.
        var graph = NamespaceGraph.Build(PathOf("Kyperian.Api"), "Kyperian.Api");

        Assert.Contains("Kyperian.Api.Endpoints.Webhooks", graph.Edges["Kyperian.Api.Hosting"].Keys);
        Assert.Contains("Kyperian.Api.Application.Intake", graph.Edges["Kyperian.Api.Endpoints.Webhooks"].Keys);
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
    public void Lambda_hosting_knows_nothing_of_trading()
    {
        var result = Types.InAssembly(Lambda).ShouldNot().HaveDependencyOnAny("Kyperian.Domain", "Kyperian.Api").GetResult();

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

    private static string PathOf(string assembly) => Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
}
