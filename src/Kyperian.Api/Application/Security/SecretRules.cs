namespace Kyperian.Api.Application.Security;

/// <summary>
/// What a configured secret must be before the app exposes anything behind it, outside Development. (In
/// Development an unset secret leaves the endpoints open, and /health says so.)
/// </summary>
public static class SecretRules
{
    public const int MinLength = 16;

    /// <summary>True when <paramref name="value"/> is unset (checked by <see cref="Required"/>) or long enough and not blank.</summary>
    public static bool IsStrong(string? value) =>
        string.IsNullOrEmpty(value) || (!string.IsNullOrWhiteSpace(value) && value.Trim().Length >= MinLength);

    public static string Required(string setting) => $"{setting} is required outside Development.";

    public static string TooWeak(string setting) => $"{setting} must be at least {MinLength} characters and not blank.";
}
