using Kyperian.Lambda.Runtime;

namespace Kyperian.Lambda.Hosting;

/// <summary>
/// Last resort for start-up failures no guard sees (an exception escaping <c>Main</c> before the host started:
/// configuration, <c>builder.Build()</c>, a hosted service): posts it to <c>/runtime/init/error</c> while the process dies.
/// Once per process; does nothing once the invocation loop runs or an init error was reported.
/// </summary>
internal static class UnhandledStartupErrorReporter
{
    private static int s_registered;
    private static int s_done;

    public static void Register(string runtimeApi)
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is not Exception error || Interlocked.Exchange(ref s_done, 1) == 1)
            {
                return;
            }

            try
            {
                using var client = new RuntimeApiClient(runtimeApi);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                client.PostInitErrorAsync(error, timeout.Token).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or RuntimeApiException or ArgumentException)
            {
                Console.Error.WriteLine($"Could not report the start-up failure to the Lambda Runtime API: {ex.Message}");
            }
        };
    }

    /// <summary>The loop runs, or the failure was already reported: nothing more to do at process death.</summary>
    public static void MarkReported() => Interlocked.Exchange(ref s_done, 1);
}
