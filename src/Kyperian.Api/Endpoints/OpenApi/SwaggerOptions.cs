namespace Kyperian.Api.Endpoints.OpenApi;

/// <summary>Swagger UI and its document, bound from <c>Kyperian:Swagger</c>.</summary>
public sealed class SwaggerOptions
{
    public const string Section = "Kyperian:Swagger";

    /// <summary>On by default: operators use it to read and try every endpoint with their key.</summary>
    public bool Enabled { get; set; } = true;
}
