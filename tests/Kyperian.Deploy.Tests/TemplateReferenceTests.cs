using System.Text.Json.Nodes;

namespace Kyperian.Deploy.Tests;

/// <summary>Every name the template points at exists, and a conditional resource is only used where its condition holds.</summary>
public class TemplateReferenceTests
{
    private static readonly CfnTemplate Template = CfnTemplate.Instance;

    [Fact]
    public void Template_is_a_SAM_template_in_JSON()
    {
        Assert.Equal("2010-09-09", (string?)Template.Root["AWSTemplateFormatVersion"]);
        Assert.Equal("AWS::Serverless-2016-10-31", (string?)Template.Root["Transform"]);
        Assert.NotEmpty(Template.Resources);
    }

    [Fact]
    public void Every_Ref_and_Sub_variable_names_a_parameter_resource_pseudo_parameter_or_SAM_name()
    {
        var sam = Template.SamGeneratedNames();
        var unresolved = Template.References()
            .Where(r => r.Kind is "Ref" or "SubRef")
            .Where(r => !Template.Parameters.ContainsKey(r.Target)
                && !Template.Resources.ContainsKey(r.Target)
                && !CfnTemplate.PseudoParameters.Contains(r.Target)
                && !sam.ContainsKey(r.Target))
            .Select(r => $"{r.Path}: {r.Target}")
            .ToList();
        Assert.Empty(unresolved);
    }

    [Fact]
    public void Every_GetAtt_names_a_resource_or_a_SAM_referenceable_property()
    {
        var sam = Template.SamGeneratedNames();
        var references = Template.References().Where(r => r.Kind is "GetAtt" or "SubGetAtt").ToList();
        Assert.NotEmpty(references);
        var unresolved = references
            .Where(r => !Template.Resources.ContainsKey(r.Target) && !sam.ContainsKey($"{r.Target}.{r.Attribute}"))
            .Select(r => $"{r.Path}: {r.Target}.{r.Attribute}")
            .ToList();
        Assert.Empty(unresolved);
        Assert.All(references.Where(r => Template.Resources.ContainsKey(r.Target)), r => Assert.False(string.IsNullOrEmpty(r.Attribute), r.Path));
    }

    [Fact]
    public void Every_DependsOn_names_a_resource()
    {
        var dependsOn = Template.References().Where(r => r.Kind == "DependsOn").ToList();
        Assert.NotEmpty(dependsOn);
        Assert.All(dependsOn, d => Assert.True(Template.Resources.ContainsKey(d.Target), $"{d.Path}: {d.Target}"));
    }

    [Fact]
    public void Every_condition_used_is_defined()
    {
        var used = Template.References().Where(r => r.Kind == "Condition").ToList();
        Assert.NotEmpty(used);
        Assert.All(used, c => Assert.True(Template.Conditions.ContainsKey(c.Target), $"{c.Path}: {c.Target}"));
    }

    [Fact]
    public void Every_defined_condition_and_parameter_is_used()
    {
        var references = Template.References();
        var conditions = references.Where(r => r.Kind == "Condition").Select(r => r.Target).ToHashSet();
        var names = references.Where(r => r.Kind is "Ref" or "SubRef").Select(r => r.Target).ToHashSet();
        Assert.DoesNotContain(Template.Conditions.Select(c => c.Key), c => !conditions.Contains(c));
        Assert.DoesNotContain(Template.Parameters.Select(p => p.Key), p => !names.Contains(p));
    }

    [Fact]
    public void A_conditional_resource_is_referenced_only_under_its_condition()
    {
        var unsafeUses = Template.References()
            .Where(r => r.Kind is "Ref" or "SubRef" or "GetAtt" or "SubGetAtt" or "DependsOn")
            .Where(r => Template.Resources.ContainsKey(r.Target) && Template.ConditionOf(r.Target) is { } condition && !r.Guards.Contains(condition))
            .Select(r => $"{r.Path}: {r.Target} (Condition {Template.ConditionOf(r.Target)})")
            .ToList();
        Assert.Empty(unsafeUses);
    }

    [Fact]
    public void Every_FindInMap_key_exists_for_every_value_its_parameter_allows()
    {
        var lookups = FindInMaps(Template.Root).ToList();
        Assert.NotEmpty(lookups);
        foreach (var lookup in lookups)
        {
            var mapName = (string)lookup[0]!;
            var map = Assert.IsType<JsonObject>(Template.Mappings[mapName], exactMatch: false);
            var topKeys = lookup[1] switch
            {
                JsonValue literal => [(string)literal!],
                JsonObject { Count: 1 } reference when reference["Ref"] is { } name =>
                    Template.Parameters[(string)name!]!["AllowedValues"]!.AsArray().Select(v => (string)v!).ToArray(),
                _ => throw new Xunit.Sdk.XunitException($"FindInMap {mapName}: top-level key must be a literal or a Ref to a parameter with AllowedValues"),
            };
            var secondKey = Assert.IsAssignableFrom<JsonValue>(lookup[2]).GetValue<string>();
            foreach (var top in topKeys)
            {
                var entry = Assert.IsType<JsonObject>(map[top], exactMatch: false);
                Assert.True(entry.ContainsKey(secondKey), $"Mappings/{mapName}/{top} lacks {secondKey}");
            }
        }
    }

    [Fact]
    public void SAM_generated_names_the_template_uses_are_the_ones_SAM_creates()
    {
        // Names outside Parameters and Resources are allowed only when SAM generates them; list the ones in use.
        var sam = Template.SamGeneratedNames();
        var used = Template.References()
            .Select(r => r.Attribute is null ? r.Target : $"{r.Target}.{r.Attribute}")
            .Where(sam.ContainsKey)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(["KyperianApi.Stage"], used);
    }

    private static IEnumerable<JsonArray> FindInMaps(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "Fn::FindInMap" && value is JsonArray args)
                    {
                        yield return args;
                    }

                    if (value is not null)
                    {
                        foreach (var inner in FindInMaps(value))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        foreach (var inner in FindInMaps(item))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
        }
    }
}
