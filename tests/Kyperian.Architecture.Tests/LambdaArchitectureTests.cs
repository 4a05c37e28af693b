using Kyperian.Lambda;
using Mono.Cecil;
using Mono.Cecil.Cil;
using NetArchTest.Rules;

namespace Kyperian.Architecture.Tests;

/// <summary>The layers of Kyperian.Lambda (its README, "Layers"), read from the compiled assembly.</summary>
public sealed class LambdaArchitectureTests
{
    private const string Root = "Kyperian.Lambda";
    private const string ApiGateway = "Kyperian.Lambda.ApiGateway";
    private const string Hosting = "Kyperian.Lambda.Hosting";
    private const string Http = "Kyperian.Lambda.Http";
    private const string Runtime = "Kyperian.Lambda.Runtime";

    /// <summary>Each namespace and what it may use; a new namespace has to be placed here.</summary>
    private static readonly Dictionary<string, string[]> MayUse = new(StringComparer.Ordinal)
    {
        [Runtime] = [],
        [Http] = [],
        [ApiGateway] = [Http],
        [Hosting] = [Runtime, Http, ApiGateway],
        [Root] = [Hosting, ApiGateway, Http, Runtime],
    };

    private static readonly System.Reflection.Assembly Lambda = typeof(LambdaEventSource).Assembly;

    [Fact]
    public void Each_namespace_uses_only_the_layers_below_it()
    {
        var graph = NamespaceGraph.Build(Lambda, Root);

        var unplaced = graph.Namespaces.Where(n => !MayUse.ContainsKey(n)).ToArray();
        var upward = graph.Dependencies.Where(d => MayUse.TryGetValue(d.From, out var allowed) && !allowed.Contains(d.To)).ToArray();

        Assert.True(unplaced.Length == 0, $"Namespaces with no place in the layers: {string.Join(", ", unplaced)}");
        Assert.True(upward.Length == 0, "Dependencies against the layers:" + Environment.NewLine + string.Join(Environment.NewLine, upward));

        // The graph sees the wiring it should (fields, constructors, method bodies), so an empty graph cannot pass.
        Assert.True(graph.DependsOn(Hosting, Runtime));
        Assert.True(graph.DependsOn(Hosting, Http));
        Assert.True(graph.DependsOn(Hosting, ApiGateway));
        Assert.True(graph.DependsOn(ApiGateway, Http));
        Assert.True(graph.DependsOn(Root, Hosting));
    }

    [Fact]
    public void Kyperian_Lambda_knows_nothing_of_trading()
    {
        var result = Types.InAssembly(Lambda).ShouldNot().HaveDependencyOnAny("Kyperian.Api", "Kyperian.Domain").GetResult();
        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
        Assert.DoesNotContain(Lambda.GetReferencedAssemblies(), a => a.Name!.StartsWith("Kyperian.", StringComparison.Ordinal));

        // Nor names them: no type, member or string literal speaks of signals, alerts or decisions.
        string[] tradingWords = ["signal", "alert", "decision", "trading", "webhook"];
        using var module = ModuleDefinition.ReadModule(Lambda.Location);
        var mentions = Texts(module)
            .Where(text => tradingWords.Any(word => text.Contains(word, StringComparison.OrdinalIgnoreCase)))
            .ToArray();
        Assert.True(mentions.Length == 0, string.Join(Environment.NewLine, mentions));
    }

    private static IEnumerable<string> Texts(ModuleDefinition module)
    {
        foreach (var type in module.GetTypes())
        {
            yield return type.FullName;
            foreach (var member in type.Fields.Cast<IMemberDefinition>().Concat(type.Properties).Concat(type.Events).Concat(type.Methods))
            {
                yield return $"{type.FullName}::{member.Name}";
            }

            foreach (var method in type.Methods.Where(m => m.HasBody))
            {
                foreach (var instruction in method.Body.Instructions.Where(i => i.OpCode == OpCodes.Ldstr))
                {
                    yield return $"{type.FullName}::{method.Name}: \"{instruction.Operand}\"";
                }
            }
        }
    }
}
