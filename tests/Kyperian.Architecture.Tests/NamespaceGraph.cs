using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Kyperian.Architecture.Tests;

/// <summary>
/// Which namespace of an assembly uses which, read from its IL (signatures, bodies, attributes, generic arguments),
/// so that a reference by a parent namespace's implicit scope or a fully qualified name counts as much as a using.
/// </summary>
public sealed class NamespaceGraph
{
    private readonly Dictionary<string, Dictionary<string, string>> _edges = new(StringComparer.Ordinal);

    /// <summary>Every namespace to the namespaces it uses, each with one example "type → type".</summary>
    public IReadOnlyDictionary<string, Dictionary<string, string>> Edges => _edges;

    public static NamespaceGraph Build(string assemblyPath, string rootNamespace)
    {
        var graph = new NamespaceGraph();
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        foreach (var type in module.GetTypes())
        {
            var from = NamespaceOf(type);
            if (!InScope(from, rootNamespace))
            {
                continue;
            }

            foreach (var used in References(type))
            {
                var to = NamespaceOf(used);
                if (InScope(to, rootNamespace) && !string.Equals(from, to, StringComparison.Ordinal))
                {
                    graph.Add(from, to, $"{type.FullName} → {used.FullName}");
                }
            }
        }

        return graph;
    }

    public static NamespaceGraph FromEdges(params (string From, string To)[] edges)
    {
        var graph = new NamespaceGraph();
        foreach (var (from, to) in edges)
        {
            graph.Add(from, to, $"{from} → {to}");
        }

        return graph;
    }

    /// <summary>The strongly connected components with more than one namespace: each is a cycle (Tarjan).</summary>
    public IReadOnlyList<IReadOnlyList<string>> FindCycles()
    {
        var index = 0;
        var indices = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowLinks = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var cycles = new List<IReadOnlyList<string>>();

        void Visit(string node)
        {
            indices[node] = lowLinks[node] = index++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in _edges.TryGetValue(node, out var targets) ? targets.Keys.ToList() : [])
            {
                if (!indices.ContainsKey(next))
                {
                    Visit(next);
                    lowLinks[node] = Math.Min(lowLinks[node], lowLinks[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowLinks[node] = Math.Min(lowLinks[node], indices[next]);
                }
            }

            if (lowLinks[node] == indices[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (!string.Equals(member, node, StringComparison.Ordinal));

                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    cycles.Add(component);
                }
            }
        }

        foreach (var node in _edges.Keys.Concat(_edges.Values.SelectMany(v => v.Keys)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList())
        {
            if (!indices.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return cycles;
    }

    /// <summary>The edges inside one cycle, each with its example, for a failure message a reader can act on.</summary>
    public string Describe(IReadOnlyList<string> cycle) => string.Join(
        Environment.NewLine,
        from source in cycle
        from edge in _edges.TryGetValue(source, out var targets) ? targets.ToList() : []
        where cycle.Contains(edge.Key)
        select $"  {source} → {edge.Key}   (e.g. {edge.Value})");

    private void Add(string from, string to, string example)
    {
        if (!_edges.TryGetValue(from, out var targets))
        {
            _edges[from] = targets = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        targets.TryAdd(to, example);
    }

    private static bool InScope(string ns, string root) =>
        ns.Length > 0 && (string.Equals(ns, root, StringComparison.Ordinal) || ns.StartsWith(root + ".", StringComparison.Ordinal));

    /// <summary>A nested or compiler-generated type belongs to the namespace of its outermost declaring type.</summary>
    private static string NamespaceOf(TypeReference type)
    {
        while (type is TypeSpecification specification)
        {
            type = specification.ElementType;
        }

        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type.Namespace;
    }

    private static IEnumerable<TypeReference> References(TypeDefinition type)
    {
        if (type.BaseType is not null)
        {
            foreach (var t in Expand(type.BaseType)) yield return t;
        }

        foreach (var t in type.Interfaces.SelectMany(i => Expand(i.InterfaceType))) yield return t;
        foreach (var t in Attributes(type)) yield return t;

        foreach (var field in type.Fields)
        {
            foreach (var t in Expand(field.FieldType)) yield return t;
            foreach (var t in Attributes(field)) yield return t;
        }

        foreach (var property in type.Properties)
        {
            foreach (var t in Expand(property.PropertyType)) yield return t;
            foreach (var t in Attributes(property)) yield return t;
        }

        foreach (var method in type.Methods)
        {
            foreach (var t in Expand(method.ReturnType)) yield return t;
            foreach (var t in method.Parameters.SelectMany(p => Expand(p.ParameterType))) yield return t;
            foreach (var t in Attributes(method)) yield return t;
            if (!method.HasBody)
            {
                continue;
            }

            foreach (var variable in method.Body.Variables)
            {
                foreach (var t in Expand(variable.VariableType)) yield return t;
            }

            foreach (var instruction in method.Body.Instructions)
            {
                foreach (var t in Operand(instruction)) yield return t;
            }
        }
    }

    private static IEnumerable<TypeReference> Operand(Instruction instruction) => instruction.Operand switch
    {
        TypeReference type => Expand(type),
        MethodReference method => Expand(method.DeclaringType)
            .Concat(Expand(method.ReturnType))
            .Concat(method.Parameters.SelectMany(p => Expand(p.ParameterType)))
            .Concat(method is GenericInstanceMethod generic ? generic.GenericArguments.SelectMany(Expand) : []),
        FieldReference field => Expand(field.DeclaringType).Concat(Expand(field.FieldType)),
        _ => [],
    };

    private static IEnumerable<TypeReference> Attributes(ICustomAttributeProvider provider) =>
        provider.CustomAttributes.SelectMany(a => Expand(a.AttributeType)
            .Concat(a.ConstructorArguments.Select(arg => arg.Value).OfType<TypeReference>().SelectMany(Expand)));

    /// <summary>A type and every type inside it: element types, generic arguments.</summary>
    private static IEnumerable<TypeReference> Expand(TypeReference type)
    {
        yield return type;
        if (type is GenericInstanceType generic)
        {
            foreach (var argument in generic.GenericArguments.SelectMany(Expand)) yield return argument;
        }

        if (type is TypeSpecification specification)
        {
            foreach (var element in Expand(specification.ElementType)) yield return element;
        }
    }
}
