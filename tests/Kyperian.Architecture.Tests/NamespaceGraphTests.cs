namespace Kyperian.Architecture.Tests;

/// <summary>The checker itself: Tarjan on given edges, and the graph read from real IL.</summary>
public sealed class NamespaceGraphTests
{
    private const string Samples = "Kyperian.Architecture.Tests.NamespaceGraphSamples";

    [Fact]
    public void A_ring_of_three_namespaces_is_one_cycle_and_what_hangs_off_it_is_not()
    {
        var graph = NamespaceGraph.FromEdges([("A", "B"), ("B", "C"), ("C", "A"), ("C", "D"), ("D", "E"), ("X", "A")]);

        var cycle = Assert.Single(graph.FindCycles());

        Assert.Equal(["A", "B", "C"], cycle.Namespaces);
        Assert.Equal(["A -> B", "B -> C", "C -> A"], cycle.Dependencies.Select(d => $"{d.From} -> {d.To}"));
    }

    [Fact]
    public void A_diamond_is_a_DAG()
    {
        var graph = NamespaceGraph.FromEdges([("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"), ("A", "D")]);

        Assert.Empty(graph.FindCycles());
        Assert.Equal(["A", "B", "C", "D"], graph.Namespaces);
    }

    [Fact]
    public void Two_cycles_joined_one_way_are_reported_apart()
    {
        var graph = NamespaceGraph.FromEdges([("A", "B"), ("B", "A"), ("B", "C"), ("C", "D"), ("D", "C")]);

        var cycles = graph.FindCycles();

        Assert.Equal([["A", "B"], ["C", "D"]], cycles.Select(c => c.Namespaces).OrderBy(n => n[0], StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("ViaTypeofInAttribute", "Described", "Target.Marker")]
    [InlineData("ViaClosure", "Factory", "Target.Marker")]
    [InlineData("ViaNestedArrayTypeArgument", "Holder", "Target.Outer")]
    public void Each_kind_of_reference_in_the_IL_is_a_dependency(string via, string fromType, string toType)
    {
        var graph = NamespaceGraph.Build(typeof(NamespaceGraphTests).Assembly, Samples);

        var dependency = Assert.Single(graph.Dependencies, d => d.From == $"{Samples}.{via}");

        Assert.Equal($"{Samples}.Target", dependency.To);
        Assert.Equal($"{Samples}.{via}.{fromType}", dependency.ExampleFromType);
        Assert.Equal($"{Samples}.{toType}", dependency.ExampleToType);
    }

    [Fact]
    public void A_cycle_in_real_IL_is_found_with_an_example_per_edge()
    {
        var graph = NamespaceGraph.Build(typeof(NamespaceGraphTests).Assembly, Samples);

        var cycle = Assert.Single(graph.FindCycles());

        Assert.Equal([$"{Samples}.CycleA", $"{Samples}.CycleB", $"{Samples}.CycleC"], cycle.Namespaces);
        Assert.Equal(
            [
                $"{Samples}.CycleA -> {Samples}.CycleB (e.g. {Samples}.CycleA.First uses {Samples}.CycleB.Second)",
                $"{Samples}.CycleB -> {Samples}.CycleC (e.g. {Samples}.CycleB.Second uses {Samples}.CycleC.Third)",
                $"{Samples}.CycleC -> {Samples}.CycleA (e.g. {Samples}.CycleC.Third uses {Samples}.CycleA.First)",
            ],
            cycle.Dependencies.Select(d => d.ToString()));
        Assert.Contains($"{Samples}.CycleC -> {Samples}.CycleA", NamespaceGraph.Describe([cycle]), StringComparison.Ordinal);
    }
}
