using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Kyperian.Deploy.Tests;

/// <summary>What an intrinsic function or attribute points at, where, and under which <c>Fn::If</c> conditions.</summary>
internal sealed record Reference(string Kind, string Target, string? Attribute, string Path, ImmutableHashSet<string> Guards);

/// <summary>templates/serverless.template, loaded with System.Text.Json, with the walks the tests share.</summary>
internal sealed partial class CfnTemplate
{
    public const string RelativePath = "templates/serverless.template";

    /// <summary>Always defined by CloudFormation.</summary>
    public static readonly ImmutableHashSet<string> PseudoParameters =
    [
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId",
        "AWS::StackName", "AWS::URLSuffix",
    ];

    private static readonly Lazy<CfnTemplate> Shared = new(() => Parse(Repo.Read(RelativePath)));

    private CfnTemplate(JsonObject root) => Root = root;

    public static CfnTemplate Instance => Shared.Value;

    public JsonObject Root { get; }

    public JsonObject Resources => Root["Resources"]!.AsObject();

    public JsonObject Parameters => Root["Parameters"]?.AsObject() ?? [];

    public JsonObject Conditions => Root["Conditions"]?.AsObject() ?? [];

    public JsonObject Mappings => Root["Mappings"]?.AsObject() ?? [];

    public JsonObject Outputs => Root["Outputs"]?.AsObject() ?? [];

    public static CfnTemplate Parse(string json) =>
        new(JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false })!.AsObject());

    public IEnumerable<(string Id, JsonObject Resource)> ResourcesOfType(string type) =>
        Resources.Where(r => (string?)r.Value!["Type"] == type).Select(r => (r.Key, r.Value!.AsObject()));

    public JsonObject Resource(string id) => Resources[id]?.AsObject() ?? throw new KeyNotFoundException($"resource {id}");

    public JsonObject Properties(string id) => Resource(id)["Properties"]!.AsObject();

    public string? ConditionOf(string resourceId) => (string?)Resources[resourceId]?["Condition"];

    /// <summary>
    /// The names SAM generates for the resources it expands, that a template may point at. Each with why it exists:
    /// these are the only names outside Parameters and Resources a reference may use.
    /// </summary>
    public IReadOnlyDictionary<string, string> SamGeneratedNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, resource) in ResourcesOfType("AWS::Serverless::Function"))
        {
            var properties = resource["Properties"]!.AsObject();
            if (properties["Role"] is null)
            {
                names[id + "Role"] = "SAM creates the execution role {Function}Role when the function names no Role";
            }

            if ((string?)properties["AutoPublishAlias"] is { } alias)
            {
                names[id + "Alias" + alias] = "AutoPublishAlias creates the alias {Function}Alias{name}";
                names[id + ".Alias"] = "SAM's referenceable property for the alias of AutoPublishAlias";
                names[id + ".Version"] = "SAM's referenceable property for the version AutoPublishAlias publishes";
            }

            var events = properties["Events"]?.AsObject() ?? [];
            if (events.Any(e => (string?)e.Value!["Type"] == "Api" && e.Value!["Properties"]?["RestApiId"] is null))
            {
                names["ServerlessRestApi"] = "an Api event without RestApiId makes SAM create the implicit API ServerlessRestApi";
                names["ServerlessRestApi.Stage"] = "the implicit API's stage";
            }
        }

        foreach (var (id, _) in ResourcesOfType("AWS::Serverless::Api"))
        {
            names[id + ".Stage"] = "SAM's referenceable property for the API's stage (resolves to the stage name)";
            names[id + ".Deployment"] = "SAM's referenceable property for the API's current deployment";
        }

        return names;
    }

    /// <summary>Every Ref, Fn::GetAtt, Fn::Sub variable, Fn::FindInMap, condition use and DependsOn in the template.</summary>
    public IReadOnlyList<Reference> References()
    {
        var found = new List<Reference>();
        foreach (var (id, node) in Resources)
        {
            var resource = node!.AsObject();
            var guards = GuardsOf((string?)resource["Condition"]);
            if (resource["Condition"] is not null)
            {
                found.Add(new Reference("Condition", (string)resource["Condition"]!, null, $"Resources/{id}/Condition", guards));
            }

            switch (resource["DependsOn"])
            {
                case JsonValue single:
                    found.Add(new Reference("DependsOn", (string)single!, null, $"Resources/{id}/DependsOn", guards));
                    break;
                case JsonArray many:
                    found.AddRange(many.Select(d => new Reference("DependsOn", (string)d!, null, $"Resources/{id}/DependsOn", guards)));
                    break;
            }

            foreach (var part in new[] { "Properties", "Metadata" })
            {
                if (resource[part] is { } value)
                {
                    Walk(value, $"Resources/{id}/{part}", guards, found);
                }
            }
        }

        foreach (var (id, node) in Outputs)
        {
            var output = node!.AsObject();
            var guards = GuardsOf((string?)output["Condition"]);
            if (output["Condition"] is not null)
            {
                found.Add(new Reference("Condition", (string)output["Condition"]!, null, $"Outputs/{id}/Condition", guards));
            }

            Walk(output, $"Outputs/{id}", guards, found);
        }

        foreach (var (id, node) in Conditions)
        {
            Walk(node!, $"Conditions/{id}", [], found);
        }

        return found;
    }

    /// <summary>The <c>${...}</c> variables of an Fn::Sub string (not the <c>${!Literal}</c> escapes).</summary>
    public static IEnumerable<string> SubVariables(string text) =>
        SubVariable().Matches(text).Select(m => m.Groups[1].Value.Trim());

    private static ImmutableHashSet<string> GuardsOf(string? condition) =>
        condition is null ? [] : [condition];

    private static void Walk(JsonNode node, string path, ImmutableHashSet<string> guards, List<Reference> found)
    {
        switch (node)
        {
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } item)
                    {
                        Walk(item, $"{path}/{i}", guards, found);
                    }
                }

                break;
            case JsonObject obj when obj.Count == 1 && obj.First() is var (key, value) && value is not null && IsIntrinsic(key):
                WalkIntrinsic(key, value, path, guards, found);
                break;
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (value is not null)
                    {
                        Walk(value, $"{path}/{key}", guards, found);
                    }
                }

                break;
        }
    }

    private static bool IsIntrinsic(string key) => key is "Ref" or "Condition" || key.StartsWith("Fn::", StringComparison.Ordinal);

    private static void WalkIntrinsic(string key, JsonNode value, string path, ImmutableHashSet<string> guards, List<Reference> found)
    {
        var at = $"{path}/{key}";
        switch (key)
        {
            case "Ref":
                found.Add(new Reference("Ref", (string)value!, null, at, guards));
                break;
            case "Condition":
                found.Add(new Reference("Condition", (string)value!, null, at, guards));
                break;
            case "Fn::GetAtt":
                var (resource, attribute) = value is JsonArray pair
                    ? ((string)pair[0]!, string.Join('.', pair.Skip(1).Select(p => (string)p!)))
                    : SplitDotted((string)value!);
                found.Add(new Reference("GetAtt", resource, attribute, at, guards));
                break;
            case "Fn::Sub":
                var (text, locals) = value is JsonArray form
                    ? ((string)form[0]!, form[1]!.AsObject())
                    : ((string)value!, new JsonObject());
                foreach (var variable in SubVariables(text))
                {
                    if (locals.ContainsKey(variable))
                    {
                        continue;
                    }

                    if (variable.Contains('.', StringComparison.Ordinal) && !variable.StartsWith("AWS::", StringComparison.Ordinal))
                    {
                        var (target, attr) = SplitDotted(variable);
                        found.Add(new Reference("SubGetAtt", target, attr, at, guards));
                    }
                    else
                    {
                        found.Add(new Reference("SubRef", variable, null, at, guards));
                    }
                }

                Walk(locals, $"{at}/1", guards, found);
                break;
            case "Fn::FindInMap":
                var keys = value.AsArray();
                found.Add(new Reference("FindInMap", (string)keys[0]!, null, at, guards));
                Walk(keys, at, guards, found);
                break;
            case "Fn::If":
                var branches = value.AsArray();
                var condition = (string)branches[0]!;
                found.Add(new Reference("Condition", condition, null, at, guards));
                Walk(branches[1]!, $"{at}/1", guards.Add(condition), found);
                Walk(branches[2]!, $"{at}/2", guards.Add("!" + condition), found);
                break;
            default:
                Walk(value, at, guards, found);
                break;
        }
    }

    /// <summary><c>Resource.Attr.Sub</c> → (Resource, Attr.Sub); SAM's <c>Api.Stage</c> stays whole as a name.</summary>
    private static (string Target, string? Attribute) SplitDotted(string dotted)
    {
        var dot = dotted.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? (dotted, null) : (dotted[..dot], dotted[(dot + 1)..]);
    }

    [GeneratedRegex(@"\$\{(?!!)([^}]+)\}")]
    private static partial Regex SubVariable();
}
