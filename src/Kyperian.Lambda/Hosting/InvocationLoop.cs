using Kyperian.Lambda.Http;
using Kyperian.Lambda.Runtime;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Logging;

namespace Kyperian.Lambda.Hosting;

/// <summary>
/// next → HttpContext → pipeline → proxy response → POST, one invocation at a time (Lambda never sends another
/// to the same sandbox before the previous answer).
/// </summary>
internal sealed class InvocationLoop<TContext>(IHttpApplication<TContext> application, LambdaRuntime runtime, ILogger logger)
    where TContext : notnull
{
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public async Task RunAsync(CancellationToken stopping)
    {
        var client = runtime.Client;
        while (!stopping.IsCancellationRequested)
        {
            LambdaInvocation invocation;
            try
            {
                invocation = await client.GetNextInvocationAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A 500 (or no answer) from /next: the sandbox is broken, the runtime must exit.
                runtime.Exit(1, "the Runtime API failed to deliver the next invocation", ex);
                return;
            }

            try
            {
                await InvokeAsync(invocation).ConfigureAwait(false);
            }
            catch (RuntimeApiException ex) when (ex.IsFatal)
            {
                runtime.Exit(1, "the Runtime API failed while the runtime answered an invocation", ex);
                return;
            }
            catch (Exception ex)
            {
                // e.g. 413 for a response over the payload limit: this invocation is lost, the next may be fine.
                logger.InvocationNotAnswered(ex, invocation.AwsRequestId);
            }
        }
    }

    internal async Task InvokeAsync(LambdaInvocation invocation)
    {
        Environment.SetEnvironmentVariable(LambdaEnvironment.TraceIdVariable, invocation.TraceId);

        InvocationFeatures features;
        try
        {
            features = runtime.Marshaller.ToFeatures(invocation.Event);
        }
        catch (Exception ex)
        {
            await ReportCrashAsync(invocation, ex).ConfigureAwait(false);
            return;
        }

        // On the application's clock, so a test clock drives deadlines too.
        using var abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, runtime.TimeProvider);
        ScheduleDeadline(abort, invocation.Deadline - runtime.Settings.DeadlineMargin, runtime.TimeProvider);
        features.Attach(new LambdaInvocationFeature(invocation), abort);

        TContext context;
        try
        {
            context = application.CreateContext(features);
        }
        catch (Exception ex)
        {
            await ReportCrashAsync(invocation, ex).ConfigureAwait(false);
            return;
        }

        Exception? applicationError = null;
        try
        {
            try
            {
                await application.ProcessRequestAsync(context).ConfigureAwait(false);
                await features.EndResponseAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // As Kestrel: an exception escaping the pipeline is the application's failure, answered with a 500.
                applicationError = ex;
                logger.ApplicationFailed(ex, invocation.AwsRequestId);
                features.SetUnhandledError();
            }

            byte[] payload;
            try
            {
                payload = runtime.Marshaller.ToResponseJson(features);
            }
            catch (Exception ex)
            {
                applicationError ??= ex;
                await ReportCrashAsync(invocation, ex).ConfigureAwait(false);
                return;
            }

            await runtime.Client.PostResponseAsync(invocation.AwsRequestId, payload, CancellationToken.None).ConfigureAwait(false);

            try
            {
                // After the answer is out, as Kestrel does after the response is sent: disposes the request scope too.
                await features.FireOnCompletedAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                logger.OnCompletedFailed(ex, invocation.AwsRequestId);
            }
        }
        finally
        {
            application.DisposeContext(context, applicationError);
        }
    }

    private async Task ReportCrashAsync(LambdaInvocation invocation, Exception error)
    {
        logger.InvocationFailed(error, invocation.AwsRequestId);
        await runtime.Client.PostInvocationErrorAsync(invocation.AwsRequestId, error, CancellationToken.None).ConfigureAwait(false);
    }

    private static void ScheduleDeadline(CancellationTokenSource abort, DateTimeOffset cancelAt, TimeProvider clock)
    {
        if (cancelAt == DateTimeOffset.MaxValue)
        {
            return;
        }

        var delay = cancelAt - clock.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            abort.Cancel();
        }
        else
        {
            abort.CancelAfter(delay < MaxTimerDelay ? delay : MaxTimerDelay);
        }
    }
}
