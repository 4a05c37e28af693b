using Microsoft.Extensions.Logging;

namespace Kyperian.Lambda.Hosting;

/// <summary>Every log line of the Lambda runtime (source-generated).</summary>
internal static partial class LambdaRuntimeLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Lambda runtime server started ({PayloadFormat}, Runtime API {RuntimeApi}).")]
    public static partial void ServerStarted(this ILogger logger, string payloadFormat, string runtimeApi);

    [LoggerMessage(EventId = 2, Level = LogLevel.Critical, Message = "AWS_LAMBDA_RUNTIME_API is not usable.")]
    public static partial void RuntimeApiUnusable(this ILogger logger, Exception error);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "An invocation was still running when the host stopped.")]
    public static partial void InvocationStillRunningAtStop(this ILogger logger);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Invocation {AwsRequestId} could not be answered.")]
    public static partial void InvocationNotAnswered(this ILogger logger, Exception error, string awsRequestId);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Unhandled exception in the application; invocation {AwsRequestId} answered 500.")]
    public static partial void ApplicationFailed(this ILogger logger, Exception error, string awsRequestId);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "OnCompleted callback failed for invocation {AwsRequestId}.")]
    public static partial void OnCompletedFailed(this ILogger logger, Exception error, string awsRequestId);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "Invocation {AwsRequestId} failed; reporting it to the Lambda Runtime API.")]
    public static partial void InvocationFailed(this ILogger logger, Exception error, string awsRequestId);

    [LoggerMessage(EventId = 20, Level = LogLevel.Critical, Message = "Start-up failed; reporting to the Lambda Runtime API init/error.")]
    public static partial void StartupFailed(this ILogger logger, Exception error);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "Could not report the start-up failure to the Lambda Runtime API.")]
    public static partial void InitErrorNotReported(this ILogger logger, Exception error);

    [LoggerMessage(EventId = 22, Level = LogLevel.Critical, Message = "Lambda runtime exiting with code {ExitCode}: {Reason}")]
    public static partial void Exiting(this ILogger logger, Exception? error, int exitCode, string reason);
}
