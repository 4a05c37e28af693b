// Real IL for the NamespaceGraph tests: each Via* namespace reaches Target through one kind of reference only, and
// the three Cycle* namespaces use each other in a ring. Several namespaces, so block-scoped.
using System.ComponentModel;

namespace Kyperian.Architecture.Tests.NamespaceGraphSamples.Target
{
    public sealed class Marker;

    public static class Outer
    {
        public sealed class Inner;
    }
}

namespace Kyperian.Architecture.Tests.NamespaceGraphSamples.ViaTypeofInAttribute
{
    [TypeConverter(typeof(Target.Marker))]
    public sealed class Described;
}

namespace Kyperian.Architecture.Tests.NamespaceGraphSamples.ViaClosure
{
    public static class Factory
    {
        // The signature says object: only the lambda, compiled into a nested <>c class, names Marker.
        public static Func<object> Create() => () => new Target.Marker();
    }
}

namespace Kyperian.Architecture.Tests.NamespaceGraphSamples.ViaNestedArrayTypeArgument
{
    public static class Holder
    {
        public static int Count(IReadOnlyList<Target.Outer.Inner[]> items) => items.Count;
    }
}

namespace Kyperian.Architecture.Tests.NamespaceGraphSamples.CycleA
{
    public sealed class First
    {
        public CycleB.Second? Next { get; init; }
    }
}

namespace Kyperian.Architecture.Tests.NamespaceGraphSamples.CycleB
{
    public sealed class Second
    {
        public static object Make() => new CycleC.Third();
    }
}

namespace Kyperian.Architecture.Tests.NamespaceGraphSamples.CycleC
{
    public sealed class Third
    {
        public static bool Is(object value) => value is CycleA.First;
    }
}
