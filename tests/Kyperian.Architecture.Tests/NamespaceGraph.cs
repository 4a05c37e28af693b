using System.Runtime.InteropServices;
using System.Text;
using Mono.Cecil;

namespace Kyperian.Architecture.Tests;

/// <summary>One namespace using another, with the first pair of types found that makes it so.</summary>
public sealed record NamespaceDependency(string From, string To, string ExampleFromType, string ExampleToType)
{
    public override string ToString() => $"{From} -> {To} (e.g. {ExampleFromType} uses {ExampleToType})";
}

/// <summary>A strongly connected component of more than one namespace: each reaches every other.</summary>
public sealed record NamespaceCycle(IReadOnlyList<string> Namespaces, IReadOnlyList<NamespaceDependency> Dependencies)
{
    public override string ToString()
        => $"cycle of {string.Join(", ", Namespaces)}:{Environment.NewLine}  "
            + string.Join(Environment.NewLine + "  ", Dependencies);
}

/// <summary>
/// The namespace dependency graph of one assembly, read from its IL (Mono.Cecil), so that it sees what the compiler
/// sees: usings, fully qualified names and the parent-namespace types C# resolves without a using alike.
/// Self-contained: copy the file to check another assembly (<c>NamespaceGraph.Build(typeof(X).Assembly, "Root")</c>).
/// </summary>
/// <remarks>
/// A type is read through its base type, interfaces, generic constraints, custom attributes (including
/// <c>typeof</c> arguments), fields, properties, events, method signatures and overrides, and method bodies: locals,
/// catch types and every type, method, field and call-site operand. A referenced type counts when it is defined in the
/// same assembly; a nested type counts as its outermost declaring type, an array, pointer or generic instance as its
/// element type and type arguments. Compiler-generated nested types (closures, state machines: names with '&lt;')
/// therefore land in the namespace of the type whose code they hold. Only namespaces equal to or under the root
/// namespace are nodes; compiler infrastructure (<c>&lt;Module&gt;</c>, <c>&lt;PrivateImplementationDetails&gt;</c>,
/// embedded attributes) is outside it.
/// </remarks>
public sealed class NamespaceGraph
{
    private readonly SortedDictionary<string, SortedDictionary<string, NamespaceDependency>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph()
    {
    }

    /// <summary>Every namespace seen, sorted.</summary>
    public IReadOnlyCollection<string> Namespaces
        => _edges.Keys.Concat(_edges.Values.SelectMany(e => e.Keys)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Every dependency between two different namespaces, sorted by source then target.</summary>
    public IReadOnlyList<NamespaceDependency> Dependencies => _edges.Values.SelectMany(e => e.Values).ToArray();

    public bool DependsOn(string from, string to) => _edges.TryGetValue(from, out var targets) && targets.ContainsKey(to);

    /// <summary>The graph of an assembly loaded in this process (read again from its file).</summary>
    public static NamespaceGraph Build(System.Reflection.Assembly assembly, string rootNamespace)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return Build(assembly.Location, rootNamespace);
    }

    /// <summary>The graph of the types of <paramref name="assemblyPath"/> in <paramref name="rootNamespace"/> and below.</summary>
    public static NamespaceGraph Build(string assemblyPath, string rootNamespace)
    {
        ArgumentException.ThrowIfNullOrEmpty(assemblyPath);
        ArgumentException.ThrowIfNullOrEmpty(rootNamespace);

        // Decoding attribute arguments of enum types needs the assemblies defining them: search beside the assembly,
        // the shared frameworks and wherever this process loaded assemblies from.
        using var resolver = new DefaultAssemblyResolver();
        foreach (var directory in SearchDirectories(assemblyPath))
        {
            resolver.AddSearchDirectory(directory);
        }

        using var module = ModuleDefinition.ReadModule(assemblyPath, new ReaderParameters { AssemblyResolver = resolver });
        var graph = new NamespaceGraph();
        new Walker(graph, module, rootNamespace).WalkAll();
        return graph;
    }

    /// <summary>A graph from given edges (<c>(From, To)</c> namespace pairs), to check the cycle finder itself.</summary>
    public static NamespaceGraph FromEdges(IEnumerable<(string From, string To)> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        var graph = new NamespaceGraph();
        foreach (var (from, to) in edges)
        {
            graph.Add(from, to, from, to);
        }

        return graph;
    }

    /// <summary>
    /// The strongly connected components (Tarjan) with more than one namespace, each with the dependencies inside it.
    /// Empty when the namespaces form a DAG.
    /// </summary>
    public IReadOnlyList<NamespaceCycle> FindCycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowLink = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var cycles = new List<NamespaceCycle>();

        foreach (var node in Namespaces)
        {
            if (!index.ContainsKey(node))
            {
                Connect(node);
            }
        }

        return cycles;

        void Connect(string node)
        {
            index[node] = lowLink[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);

            foreach (var next in Targets(node))
            {
                if (!index.ContainsKey(next))
                {
                    Connect(next);
                    lowLink[node] = Math.Min(lowLink[node], lowLink[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowLink[node] = Math.Min(lowLink[node], index[next]);
                }
            }

            if (lowLink[node] != index[node])
            {
                return;
            }

            var component = new SortedSet<string>(StringComparer.Ordinal);
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            }
            while (member != node);

            if (component.Count > 1)
            {
                var inside = Dependencies.Where(d => component.Contains(d.From) && component.Contains(d.To)).ToArray();
                cycles.Add(new NamespaceCycle([.. component], inside));
            }
        }
    }

    /// <summary>Every cycle, one block each, for an assertion message.</summary>
    public static string Describe(IEnumerable<NamespaceCycle> cycles)
    {
        var text = new StringBuilder();
        foreach (var cycle in cycles)
        {
            text.AppendLine(cycle.ToString());
        }

        return text.ToString();
    }

    private IEnumerable<string> Targets(string node)
        => _edges.TryGetValue(node, out var targets) ? targets.Keys : [];

    private void Add(string from, string to, string exampleFrom, string exampleTo)
    {
        if (string.Equals(from, to, StringComparison.Ordinal))
        {
            _edges.TryAdd(from, new SortedDictionary<string, NamespaceDependency>(StringComparer.Ordinal));
            return;
        }

        if (!_edges.TryGetValue(from, out var targets))
        {
            targets = new SortedDictionary<string, NamespaceDependency>(StringComparer.Ordinal);
            _edges[from] = targets;
        }

        targets.TryAdd(to, new NamespaceDependency(from, to, exampleFrom, exampleTo));
    }

    private static IEnumerable<string> SearchDirectories(string assemblyPath)
    {
        var directories = new List<string?>
        {
            Path.GetDirectoryName(Path.GetFullPath(assemblyPath)),
            RuntimeEnvironment.GetRuntimeDirectory(),
        };
        directories.AddRange(AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && !string.IsNullOrEmpty(a.Location))
            .Select(a => Path.GetDirectoryName(a.Location)));
        return directories.OfType<string>().Where(Directory.Exists).Distinct(StringComparer.Ordinal);
    }

    private sealed class Walker(NamespaceGraph graph, ModuleDefinition module, string rootNamespace)
    {
        private TypeDefinition _current = null!;
        private string _currentNamespace = string.Empty;

        public void WalkAll()
        {
            foreach (var type in module.GetTypes())
            {
                var outermost = Outermost(type);
                if (!InRoot(outermost.Namespace))
                {
                    continue;
                }

                _current = outermost;
                _currentNamespace = outermost.Namespace;
                graph.Add(_currentNamespace, _currentNamespace, string.Empty, string.Empty);
                Walk(type);
            }
        }

        private void Walk(TypeDefinition type)
        {
            Use(type.BaseType);
            Attributes(type);
            GenericParameters(type);
            foreach (var implementation in type.Interfaces)
            {
                Use(implementation.InterfaceType);
                Attributes(implementation);
            }

            foreach (var field in type.Fields)
            {
                Use(field.FieldType);
                Attributes(field);
            }

            foreach (var property in type.Properties)
            {
                Use(property.PropertyType);
                Attributes(property);
                foreach (var parameter in property.Parameters)
                {
                    Use(parameter.ParameterType);
                }
            }

            foreach (var @event in type.Events)
            {
                Use(@event.EventType);
                Attributes(@event);
            }

            foreach (var method in type.Methods)
            {
                Walk(method);
            }
        }

        private void Walk(MethodDefinition method)
        {
            Signature(method);
            Attributes(method);
            Attributes(method.MethodReturnType);
            GenericParameters(method);
            foreach (var parameter in method.Parameters)
            {
                Attributes(parameter);
            }

            foreach (var overridden in method.Overrides)
            {
                Use(overridden);
            }

            if (!method.HasBody)
            {
                return;
            }

            var body = method.Body;
            foreach (var variable in body.Variables)
            {
                Use(variable.VariableType);
            }

            foreach (var handler in body.ExceptionHandlers)
            {
                Use(handler.CatchType);
            }

            foreach (var instruction in body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference type:
                        Use(type);
                        break;
                    case MethodReference called:
                        Use(called);
                        break;
                    case FieldReference field:
                        Use(field.DeclaringType);
                        Use(field.FieldType);
                        break;
                    case CallSite callSite:
                        Signature(callSite);
                        break;
                }
            }
        }

        private void Use(MethodReference method)
        {
            Use(method.DeclaringType);
            Signature(method);
            if (method is GenericInstanceMethod generic)
            {
                foreach (var argument in generic.GenericArguments)
                {
                    Use(argument);
                }
            }
        }

        private void Signature(IMethodSignature method)
        {
            Use(method.ReturnType);
            foreach (var parameter in method.Parameters)
            {
                Use(parameter.ParameterType);
            }
        }

        private void GenericParameters(IGenericParameterProvider provider)
        {
            foreach (var parameter in provider.GenericParameters)
            {
                Attributes(parameter);
                foreach (var constraint in parameter.Constraints)
                {
                    Use(constraint.ConstraintType);
                    Attributes(constraint);
                }
            }
        }

        private void Attributes(ICustomAttributeProvider provider)
        {
            if (!provider.HasCustomAttributes)
            {
                return;
            }

            foreach (var attribute in provider.CustomAttributes)
            {
                Use(attribute.AttributeType);
                foreach (var argument in attribute.ConstructorArguments)
                {
                    Use(argument);
                }

                foreach (var named in attribute.Fields.Concat(attribute.Properties))
                {
                    Use(named.Argument);
                }
            }
        }

        private void Use(CustomAttributeArgument argument)
        {
            Use(argument.Type);
            switch (argument.Value)
            {
                case TypeReference type:
                    Use(type);
                    break;
                case CustomAttributeArgument boxed:
                    Use(boxed);
                    break;
                case CustomAttributeArgument[] array:
                    foreach (var element in array)
                    {
                        Use(element);
                    }

                    break;
            }
        }

        private void Use(TypeReference? type)
        {
            switch (type)
            {
                case null:
                case GenericParameter:
                    return;
                case GenericInstanceType generic:
                    Use(generic.ElementType);
                    foreach (var argument in generic.GenericArguments)
                    {
                        Use(argument);
                    }

                    return;
                case FunctionPointerType pointer:
                    Signature(pointer);
                    return;
                case IModifierType modified:
                    Use(modified.ModifierType);
                    Use(modified.ElementType);
                    return;
                case TypeSpecification specification:
                    // Arrays, pointers, by-refs, pinned, sentinels.
                    Use(specification.ElementType);
                    return;
            }

            if (!IsDefinedHere(type))
            {
                return;
            }

            var target = Outermost(type);
            if (InRoot(target.Namespace))
            {
                graph.Add(_currentNamespace, target.Namespace, _current.FullName, target.FullName);
            }
        }

        private bool IsDefinedHere(TypeReference type)
            => type is TypeDefinition definition ? definition.Module == module : type.Scope == module;

        private bool InRoot(string @namespace)
            => @namespace.Length > 0
                && @namespace.StartsWith(rootNamespace, StringComparison.Ordinal)
                && (@namespace.Length == rootNamespace.Length || @namespace[rootNamespace.Length] == '.');

        private static TypeReference Outermost(TypeReference type)
        {
            while (type.DeclaringType is { } declaring)
            {
                type = declaring;
            }

            return type;
        }

        private static TypeDefinition Outermost(TypeDefinition type)
        {
            while (type.DeclaringType is { } declaring)
            {
                type = declaring;
            }

            return type;
        }
    }
}
