using Kyperian.Domain.Decisions;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Application.Settings;

/// <summary>The configured engine settings, checked at start: a bad one stops the app and is named with its key.</summary>
public sealed class EngineSettingsValidation : IValidateOptions<EngineSettings>
{
    public ValidateOptionsResult Validate(string? name, EngineSettings options) =>
        options.Validate() is { Count: > 0 } errors
            ? ValidateOptionsResult.Fail(errors.Select(e => $"{EngineSettings.Section}:{char.ToUpperInvariant(e.Field[0])}{e.Field[1..]} {e.Problem}."))
            : ValidateOptionsResult.Success;
}
