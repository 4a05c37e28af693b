namespace Kyperian.Api.Application.Security;

/// <summary>What a configured secret must be before the app exposes anything behind it.</summary>
public static class SecretRules
{
    public const int MinLength = 16;

    /// <summary>
    /// Null when <paramref name="value"/> is usable; else why not. In Development an unset secret is allowed (the
    /// endpoints are then open and /health says so); a set one must still be strong.
    /// </summary>
    public static string? Check(string setting, string? value, bool isDevelopment)
    {
        if (string.IsNullOrEmpty(value))
        {
            return isDevelopment ? null : $"{setting} is required outside Development.";
        }

        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length < MinLength)
        {
            return isDevelopment ? null : $"{setting} must be at least {MinLength} characters, not blank.";
        }

        return null;
    }
}
