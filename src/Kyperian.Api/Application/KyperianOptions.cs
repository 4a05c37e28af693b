namespace Kyperian.Api.Application;

public enum KyperianRole
{
    /// <summary>Endpoints and engine in one process: a laptop, the tests.</summary>
    All,

    /// <summary>Endpoints only; signals go to the bus (Lambda behind API Gateway, or Kestrel).</summary>
    Api,

    /// <summary>Bus consumer, decision engine and /health (ECS Fargate).</summary>
    Engine,
}

public enum StoreBackend
{
    Embedded,
    DynamoDb,
}

public enum BusBackend
{
    Embedded,
    EventBridge,
}

public enum StateBackend
{
    Embedded,
    Redis,
}

/// <summary>The top of <c>Kyperian</c>: which role this process plays and which backend serves each port.</summary>
public sealed class KyperianOptions
{
    public const string Section = "Kyperian";

    public KyperianRole Role { get; set; } = KyperianRole.All;

    public StoreBackend Store { get; set; } = StoreBackend.Embedded;

    public BusBackend Bus { get; set; } = BusBackend.Embedded;

    public StateBackend State { get; set; } = StateBackend.Embedded;

    /// <summary>Names the deployment in metrics and SSM paths (dev, staging, production).</summary>
    public string Environment { get; set; } = DefaultEnvironment;

    /// <summary>The one default of <c>Kyperian:Environment</c>: a process nobody named is a local one.</summary>
    public const string DefaultEnvironment = "local";

    public bool ServesEndpoints => Role is KyperianRole.All or KyperianRole.Api;

    public bool RunsEngine => Role is KyperianRole.All or KyperianRole.Engine;

    /// <summary>For the few places that must decide before the service provider exists (which services to add).</summary>
    public static KyperianOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<KyperianOptions>() ?? new KyperianOptions();
}
