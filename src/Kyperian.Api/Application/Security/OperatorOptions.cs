namespace Kyperian.Api.Application.Security;

public sealed class OperatorOptions
{
    public const string Section = "Kyperian:Operator";

    /// <summary>The key operator endpoints expect in <c>X-Api-Key</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Wrong keys an address may send per minute before it is refused (429) for the rest of the minute.</summary>
    public int MaxFailedKeysPerMinute { get; set; } = 10;
}
