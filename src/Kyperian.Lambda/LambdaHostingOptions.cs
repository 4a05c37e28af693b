namespace Kyperian.Lambda;

/// <summary>Options of the Lambda hosting; set through <c>AddLambdaHosting(eventSource, configure)</c>.</summary>
public sealed class LambdaHostingOptions
{
    /// <summary>The API Gateway payload format of the events. Set by <c>AddLambdaHosting</c>.</summary>
    public LambdaEventSource EventSource { get; set; } = LambdaEventSource.RestApi;

    /// <summary>
    /// Cancels <c>HttpContext.RequestAborted</c> this long before the invocation deadline (default: at the deadline).
    /// A margin lets the application still return an answer before Lambda ends the invocation.
    /// </summary>
    public TimeSpan DeadlineMargin { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// What to do when the runtime cannot go on: a start-up failure was reported to <c>/runtime/init/error</c>,
    /// or the Runtime API answered <c>/next</c> with an error (the sandbox is broken).
    /// Default: <see cref="LambdaRuntimeExit.StopApplication"/> (sets a non-zero process exit code and stops the host).
    /// Tests replace it to observe the exit without touching the test process.
    /// </summary>
    public Action<LambdaRuntimeExit> Exit { get; set; } = LambdaRuntimeExit.StopApplication;
}
