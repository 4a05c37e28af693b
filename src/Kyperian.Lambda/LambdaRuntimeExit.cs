using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kyperian.Lambda;

/// <summary>Why and how the Lambda runtime asks the process to end.</summary>
/// <param name="ExitCode">Non-zero process exit code.</param>
/// <param name="Reason">Human-readable reason, for logs.</param>
/// <param name="Error">The failure, when there is one.</param>
/// <param name="Services">The application's root services.</param>
public sealed record LambdaRuntimeExit(int ExitCode, string Reason, Exception? Error, IServiceProvider Services)
{
    /// <summary>The default exit action: sets <see cref="Environment.ExitCode"/> and stops the application.</summary>
    public static void StopApplication(LambdaRuntimeExit exit)
    {
        ArgumentNullException.ThrowIfNull(exit);
        Environment.ExitCode = exit.ExitCode;
        exit.Services.GetService<IHostApplicationLifetime>()?.StopApplication();
    }
}
